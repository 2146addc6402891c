import { RecurError, Rng } from '@recur/core';
import { describe, expect, it } from 'vitest';

describe('Rng', () => {
  describe('determinism', () => {
    it('should give the same stream for the same seed and different streams for different seeds', () => {
      const a = new Rng(42);
      const b = new Rng(42);
      const c = new Rng(43);
      const sa = Array.from({ length: 16 }, () => a.nextUint32());
      expect(Array.from({ length: 16 }, () => b.nextUint32())).toEqual(sa);
      expect(Array.from({ length: 16 }, () => c.nextUint32())).not.toEqual(sa);
    });

    it('should resume exactly from a saved state', () => {
      const a = new Rng(7);
      for (let i = 0; i < 100; i++) a.next();
      const saved = JSON.parse(JSON.stringify(a.state()));
      const expected = Array.from({ length: 50 }, () => a.next());
      const b = Rng.fromState(saved);
      expect(Array.from({ length: 50 }, () => b.next())).toEqual(expected);
    });

    it('should give independent streams from split', () => {
      const parent = new Rng(1);
      const child = parent.split();
      const xs = Array.from({ length: 8 }, () => parent.nextUint32());
      const ys = Array.from({ length: 8 }, () => child.nextUint32());
      expect(xs).not.toEqual(ys);
    });
  });

  describe('distributions', () => {
    it('should give uniform values in [0, 1) with mean 1/2 and variance 1/12', () => {
      const rng = new Rng(3);
      const xs = rng.fillUniform(new Float64Array(200_000));
      expect(xs.reduce((m, x) => Math.min(m, x), 1)).toBeGreaterThanOrEqual(0);
      expect(xs.reduce((m, x) => Math.max(m, x), 0)).toBeLessThan(1);
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
      expect(mean).toBeCloseTo(0.5, 2);
      expect(variance).toBeCloseTo(1 / 12, 3);
    });

    it('should give normal values with the requested mean and standard deviation', () => {
      const rng = new Rng(4);
      const xs = rng.fillNormal(new Float64Array(200_000), 3, 2);
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
      expect(mean).toBeCloseTo(3, 1);
      expect(sd).toBeCloseTo(2, 1);
    });

    it('should draw integers in range and shuffle to a permutation', () => {
      const rng = new Rng(5);
      const counts = new Array(5).fill(0);
      for (let i = 0; i < 5000; i++) counts[rng.int(5)]++;
      for (const c of counts) expect(c).toBeGreaterThan(850);
      const items = Array.from({ length: 50 }, (_, i) => i);
      const shuffled = rng.shuffle([...items]);
      expect(shuffled).not.toEqual(items);
      expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    });
  });

  describe('bad input', () => {
    it('should refuse a non-integer seed naming the argument', () => {
      expect(() => new Rng(1.5)).toThrow(RecurError);
      expect(() => new Rng(1.5)).toThrow(/seed: expected an integer, received 1.5/);
    });

    it('should refuse a state that did not come from state()', () => {
      expect(() => Rng.fromState({ algorithm: 'xoshiro128**', words: [0, 0, 0, 0] })).toThrow(/state: expected/);
      expect(() => Rng.fromState({ foo: 1 } as never)).toThrow(RecurError);
    });
  });
});
