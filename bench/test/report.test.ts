import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BenchRecord, formatRatio, formatSpeedup, markdownTable, withSpeedups } from '../src/report.js';
import { targetLines } from '../src/targets.js';

function row(fields: Partial<BenchRecord> & Pick<BenchRecord, 'workload' | 'backend' | 'implementation'>): BenchRecord {
  return { trainMs: 100, forwardMs: 40, trainGflops: 1, forwardGflops: 1, percentOfMatmul: 50, ...fields };
}

const RUN: BenchRecord[] = [
  row({ workload: 'W1', backend: 'cpu', implementation: 'recur', trainMs: 500, forwardMs: 200 }),
  row({ workload: 'W1', backend: 'cpu', implementation: 'tfjs-layers', trainMs: 5000, forwardMs: 1000 }),
  row({ workload: 'W1', backend: 'wasm', implementation: 'recur', trainMs: 130, forwardMs: 30 }),
  row({ workload: 'W1', backend: 'wasm', implementation: 'tfjs-layers', trainMs: 2600, forwardMs: 75 }),
  row({ workload: 'W3', backend: 'wasm', implementation: 'recur', trainMs: 0.9, forwardMs: 0.2 }),
  row({
    workload: 'W3',
    backend: 'js',
    implementation: 'brain.js',
    trainMs: 9,
    forwardMs: 4,
    percentOfMatmul: Number.NaN,
  }),
  row({ workload: 'W1', backend: 'torch', implementation: 'pytorch', threads: 1, trainMs: 65, forwardMs: 22 }),
  row({ workload: 'W1', backend: 'torch', implementation: 'pytorch', threads: 2, trainMs: 52, forwardMs: 13 }),
];

describe('report', () => {
  describe('formatRatio', () => {
    it('should show one decimal from 1× up and two below, so that slow ratios stay apart', () => {
      expect(formatRatio(18.94)).toBe('18.9×');
      expect(formatRatio(1)).toBe('1.0×');
      expect(formatRatio(0.454)).toBe('0.45×');
      expect(formatRatio(0.536)).toBe('0.54×');
    });

    it('should throw BAD_DATA for a ratio that is not a positive finite number', () => {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => formatRatio(bad)).toThrow(`formatRatio: ratio: expected a finite number > 0, got ${bad}`);
      }
    });

    it('should round-trip any positive ratio to within its printed precision', () => {
      fc.assert(
        fc.property(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), (r) => {
          const printed = Number.parseFloat(formatRatio(r));
          expect(Math.abs(printed - r)).toBeLessThanOrEqual(r < 1 ? 0.005 + 1e-12 : 0.05 + 1e-9);
        }),
      );
    });
  });

  describe('formatSpeedup', () => {
    it('should print train / forward, and nothing for a peer the run lacks', () => {
      expect(formatSpeedup({ train: 2, forward: 0.5 })).toBe('2.0× / 0.50×');
      expect(formatSpeedup(undefined)).toBe('');
    });
  });

  describe('withSpeedups', () => {
    const compared = withSpeedups(RUN);
    const recur = (workload: string, backend: string) =>
      compared.find((r) => r.implementation === 'recur' && r.workload === workload && r.backend === backend)!;

    it("should compare Recur with tfjs-layers on Recur's own backend only", () => {
      expect(recur('W1', 'cpu').speedups?.['tfjs-layers']).toEqual({ train: 10, forward: 5 });
      expect(recur('W1', 'wasm').speedups?.['tfjs-layers']).toEqual({ train: 20, forward: 2.5 });
    });

    it('should compare every Recur backend with PyTorch at each thread count, as peer time ÷ Recur time', () => {
      expect(recur('W1', 'wasm').speedups?.['pytorch-1t']).toEqual({ train: 0.5, forward: 22 / 30 });
      expect(recur('W1', 'cpu').speedups?.['pytorch-2t']).toEqual({ train: 52 / 500, forward: 13 / 200 });
    });

    it('should compare only within a workload', () => {
      expect(recur('W3', 'wasm').speedups).toEqual({ 'brain.js': { train: 10, forward: 20 } });
    });

    it("should leave the peers' rows as they were", () => {
      expect(compared.filter((r) => r.implementation !== 'recur')).toEqual(
        RUN.filter((r) => r.implementation !== 'recur'),
      );
    });
  });

  describe('markdownTable', () => {
    const lines = markdownTable(withSpeedups(RUN));

    it('should give every line as many cells as the header, with a PyTorch column per thread count', () => {
      const cells = (line: string) => line.split('|').length;
      expect(lines[0]).toContain('| speed-up vs PyTorch 1 thread | speed-up vs PyTorch 2 threads |');
      for (const line of lines) expect(cells(line)).toBe(cells(lines[0]!));
      expect(lines).toHaveLength(2 + RUN.length);
    });

    it("should print Recur's speed-ups and GFLOP/s on its rows", () => {
      expect(lines[4]).toBe(
        '| W1 | wasm | recur | 130.0 | 30.0 | 1.00 | 1.00 | 50% | 20.0× / 2.5× | 0.50× / 0.73× | 0.40× / 0.43× |',
      );
      expect(lines[6]).toContain('| 50% | (10.0× brain.js) |');
    });

    it('should label PyTorch rows with their thread count and leave brain.js without a matMul share', () => {
      expect(lines[8]).toMatch(/^\| W1 \| torch, 1 thread \| pytorch \| 65\.0 \| 22\.0 \|/);
      expect(lines[9]).toMatch(/^\| W1 \| torch, 2 threads \| pytorch \|/);
      expect(lines[7]).toContain('| 1.00 | 1.00 |  |');
    });

    it('should have no PyTorch columns in a run without PyTorch', () => {
      const header = markdownTable(RUN.filter((r) => r.implementation !== 'pytorch'))[0]!;
      expect(header).not.toContain('PyTorch');
      expect(header.endsWith('| speed-up vs tfjs-layers (train / forward) |')).toBe(true);
    });
  });

  describe('targetLines', () => {
    const lines = targetLines(RUN);

    it('should judge each target the run has rows for, against PyTorch measured in the same run', () => {
      expect(lines.slice(2)).toEqual([
        '| W1 training step on wasm ≤ PyTorch 1 thread | 130.0 ms against 65.0 ms | not met |',
        '| W1 training step on wasm (stretch) ≤ PyTorch 2 threads | 130.0 ms against 52.0 ms | not met |',
        '| W1 forward on wasm ≤ 1.5× PyTorch 1 thread | 30.0 ms against 33.0 ms | met |',
        '| W3 training step on wasm ≤ 1 ms | 0.9 ms against 1.0 ms | met |',
        '| W1 training step on cpu ≤ 0.5× 1166 ms | 500.0 ms against 583.0 ms | met |',
      ]);
    });

    it('should list nothing when the run has none of the rows', () => {
      expect(targetLines(RUN.filter((r) => r.implementation !== 'recur'))).toEqual([]);
    });
  });
});
