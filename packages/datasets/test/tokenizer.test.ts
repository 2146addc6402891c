import { RecurError } from '@recur/core';
import { SPECIAL_IDS, Tokenizer, Vocabulary } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caught, useLeakChecks } from './helpers.js';

describe('Tokenizer', () => {
  useLeakChecks();

  describe('encode / decode', () => {
    it('should round-trip any text seen when fitting, at char level', () => {
      fc.assert(
        fc.property(fc.array(fc.string({ unit: 'binary', minLength: 1 }), { minLength: 1, maxLength: 5 }), (texts) => {
          const tokenizer = Tokenizer.fit(texts, { level: 'char' });
          for (const text of texts) expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
        }),
      );
    });

    it('should round-trip any text seen when fitting, at word level, spaces and punctuation included', () => {
      const word = fc.stringMatching(/^[A-Za-zé'’0-9]{1,6}$/);
      const glue = fc.constantFrom(' ', '  ', ', ', '. ', '\n', '\t', '!? ', ' — ', '');
      const text = fc
        .array(fc.tuple(word, glue), { minLength: 1, maxLength: 12 })
        .map((parts) => parts.flat().join(''));
      fc.assert(
        fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), (texts) => {
          const tokenizer = Tokenizer.fit(texts, { level: 'word' });
          for (const t of texts) expect(tokenizer.decode(tokenizer.encode(t))).toBe(t);
        }),
      );
    });

    it('should encode out-of-vocabulary pieces as unknown and decode them as the unknown token', () => {
      const tokenizer = Tokenizer.fit('the cat sat', { level: 'word' });
      const ids = tokenizer.encode('the dog sat');
      expect(Array.from(ids)).toEqual([
        tokenizer.vocabulary.id('the'),
        SPECIAL_IDS.unknown,
        tokenizer.vocabulary.id(' sat'),
      ]);
      expect(tokenizer.decode(ids)).toBe('the<unk> sat');
    });

    it('should add begin and end ids on request and drop them when decoding unless asked to keep them', () => {
      const tokenizer = Tokenizer.fit('abc', { level: 'char' });
      const ids = tokenizer.encode('cab', { begin: true, end: true });
      expect(ids[0]).toBe(SPECIAL_IDS.begin);
      expect(ids[ids.length - 1]).toBe(SPECIAL_IDS.end);
      expect(tokenizer.decode(ids)).toBe('cab');
      expect(tokenizer.decode([...ids, SPECIAL_IDS.pad], { keepSpecial: true })).toBe('<bos>cab<eos><pad>');
    });

    it('should never encode text that spells a special token as that token', () => {
      const tokenizer = Tokenizer.fit('a|b', { level: 'char', specialTokens: { pad: '|' } });
      expect(Array.from(tokenizer.encode('|'))).toEqual([SPECIAL_IDS.unknown]);
    });

    it('should lower-case before splitting when asked', () => {
      const tokenizer = Tokenizer.fit('Hello HELLO', { level: 'word', lowercase: true });
      expect(tokenizer.vocabulary.has('hello')).toBe(true);
      expect(tokenizer.decode(tokenizer.encode('HeLLo hello'))).toBe('hello hello');
    });
  });

  describe('vocabulary', () => {
    it('should keep tokens seen at least minFrequency times, most frequent first, ties in code-unit order', () => {
      const tokenizer = Tokenizer.fit(['aaab', 'bbcd', 'c'], { level: 'char', minFrequency: 2 });
      expect(tokenizer.vocabulary.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c']);
    });

    it('should cut the vocabulary to maxSize entries counting the special tokens', () => {
      const tokenizer = Tokenizer.fit('aaaabbbccd', { level: 'char', maxSize: 6 });
      expect(tokenizer.vocabulary.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b']);
      expect(tokenizer.decode(tokenizer.encode('abcd'))).toBe('ab<unk><unk>');
    });

    it('should give the same vocabulary whatever order the texts come in', () => {
      fc.assert(
        fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 8 }), (texts) => {
          const a = Tokenizer.fit(texts, { level: 'char' }).vocabulary.tokens;
          const b = Tokenizer.fit([...texts].reverse(), { level: 'char' }).vocabulary.tokens;
          expect(b).toEqual(a);
        }),
      );
    });

    it('should count an async source as it counts the same texts in memory', async () => {
      const lines = ['one fish', 'two fish', 'red fish'];
      async function* source() {
        yield lines.slice(0, 2);
        yield lines[2] as string;
      }
      const fromAsync = await Tokenizer.fitAsync(source(), { level: 'word' });
      expect(fromAsync.vocabulary.tokens).toEqual(Tokenizer.fit(lines, { level: 'word' }).vocabulary.tokens);
    });
  });

  describe('toJSON / fromJSON', () => {
    it('should restore an identical tokenizer from its JSON', () => {
      const tokenizer = Tokenizer.fit(['Hello, world!', 'Hello again.'], { level: 'word', minFrequency: 1 });
      const restored = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
      expect(restored.vocabulary.tokens).toEqual(tokenizer.vocabulary.tokens);
      expect(restored.level).toBe('word');
      expect(Array.from(restored.encode('Hello, again!'))).toEqual(Array.from(tokenizer.encode('Hello, again!')));
    });

    it('should refuse JSON of the wrong format, naming the source and the field', async () => {
      const good = Tokenizer.fit('abc', { level: 'char' }).toJSON();
      const cases: [unknown, RegExp][] = [
        [[1, 2], /vocab\.json: expected a tokenizer object/],
        [{ ...good, format: 'keras' }, /vocab\.json: format: expected 'recur-tokenizer'/],
        [{ ...good, version: 2 }, /vocab\.json: version: expected 1/],
        [{ ...good, level: 'byte' }, /vocab\.json: level: expected 'char' or 'word'/],
        [
          { ...good, tokens: ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 7] },
          /vocab\.json: tokens\[5\]: expected a string, received 7/,
        ],
        [
          { ...good, tokens: ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'a'] },
          /vocab\.json: tokens\[5\]: expected each token once/,
        ],
        [{ ...good, tokens: ['<unk>', '<pad>', '<bos>', '<eos>'] }, /vocab\.json: tokens\[0\]: expected the pad token/],
        [{ ...good, tokens: [...good.tokens, 'z'] }, /vocab\.json: checksum: expected/],
        [
          { ...good, specialTokens: { pad: '<pad>' } },
          /vocab\.json: specialTokens: expected \{pad, unknown, begin, end\}/,
        ],
      ];
      for (const [json, message] of cases) {
        const error = await caught(() => Tokenizer.fromJSON(json, 'vocab.json'));
        expect(error).toBeInstanceOf(RecurError);
        expect(error.code).toBe('BAD_DATA');
        expect(error.message).toMatch(message);
      }
    });
  });

  describe('bad input', () => {
    it('should refuse empty text when fitting', () => {
      expect(() => Tokenizer.fit(['', ''], { level: 'word' })).toThrow(/texts: expected at least one non-empty text/);
      expect(() => Tokenizer.fit('', { level: 'char' })).toThrow(RecurError);
    });

    it('should name bad options', () => {
      expect(() => Tokenizer.fit('a', { level: 'byte' as 'char' })).toThrow(
        /options\.level: expected 'char' or 'word', received 'byte'/,
      );
      expect(() => Tokenizer.fit('a', { level: 'char', minFrequency: 0 })).toThrow(
        /options\.minFrequency: expected a positive integer/,
      );
      expect(() => Tokenizer.fit('a', { level: 'char', maxSize: 3 })).toThrow(/options\.maxSize: expected at least 4/);
      expect(() => Tokenizer.fit('a', { level: 'char', specialTokens: { pad: '<unk>' } })).toThrow(
        /four distinct strings/,
      );
    });

    it('should refuse ids outside the vocabulary when decoding', () => {
      const tokenizer = Tokenizer.fit('ab', { level: 'char' });
      expect(() => tokenizer.decode([4, 99])).toThrow(/ids\[1\]: expected an id in \[0, 6\), received 99/);
      expect(() => tokenizer.decode([1.5])).toThrow(/ids\[0\]: expected a 32-bit integer/);
    });
  });
});

describe('Vocabulary', () => {
  useLeakChecks();

  describe('fromCounts', () => {
    it('should put the special tokens at their fixed ids and never count them as ordinary tokens', () => {
      const vocabulary = Vocabulary.fromCounts(
        new Map([
          ['<unk>', 9],
          ['x', 1],
        ]),
      );
      expect(vocabulary.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'x']);
      expect(vocabulary.id('x')).toBe(4);
      expect(vocabulary.id('never seen')).toBe(SPECIAL_IDS.unknown);
      expect(() => vocabulary.token(5)).toThrow(/id: expected an integer in \[0, 5\), received 5/);
    });
  });
});
