/**
 * The records of one `pnpm bench` run, the speed-ups of Recur against each peer, and the
 * markdown table printed from them. Record format 2 adds PyTorch rows (`implementation:
 * 'pytorch'`, `backend: 'torch'`, `threads`) and Recur's `speedups`; every field of
 * format 1 (no `format` key) keeps its name and meaning.
 */
import { RecurError } from '@recur/core';

export const RECORD_FORMAT = 2;

export type Implementation = 'recur' | 'tfjs-layers' | 'brain.js' | 'pytorch';

/** Train and forward speed-up of Recur over a peer: the peer's time ÷ Recur's (above 1: Recur is faster). */
export interface Speedup {
  readonly train: number;
  readonly forward: number;
}

/** The peers a Recur row is compared with: tfjs-layers on its backend, brain.js (W3), PyTorch by thread count. */
export type Peer = 'tfjs-layers' | 'brain.js' | `pytorch-${number}t`;

export interface BenchRecord {
  readonly workload: string;
  /** tfjs backend (`cpu`, `wasm`), `js` for brain.js, `torch` for PyTorch. */
  readonly backend: string;
  readonly implementation: Implementation;
  /** PyTorch rows: `torch.set_num_threads`. */
  readonly threads?: number;
  readonly trainMs: number;
  readonly forwardMs: number;
  readonly trainGflops: number;
  readonly forwardGflops: number;
  /** Training GFLOP/s as a percentage of the 1024×1024 product rate of the same backend (PyTorch: same thread count). */
  readonly percentOfMatmul: number;
  /** Recur rows: the speed-up over each peer measured on the same workload in the run. */
  readonly speedups?: Partial<Record<Peer, Speedup>>;
}

/** The peer key of a row, or undefined for a Recur row. */
export function peerOf(r: BenchRecord): Peer | undefined {
  if (r.implementation === 'pytorch') return `pytorch-${r.threads ?? 1}t`;
  if (r.implementation === 'recur') return undefined;
  return r.implementation;
}

/** `records` with each Recur row's speed-ups over the peers of its workload (tfjs-layers only on its own backend). */
export function withSpeedups(records: readonly BenchRecord[]): BenchRecord[] {
  return records.map((r) => {
    if (r.implementation !== 'recur') return r;
    const speedups: Partial<Record<Peer, Speedup>> = {};
    for (const p of records) {
      const peer = peerOf(p);
      if (peer === undefined || p.workload !== r.workload) continue;
      if (peer === 'tfjs-layers' && p.backend !== r.backend) continue;
      speedups[peer] = { train: p.trainMs / r.trainMs, forward: p.forwardMs / r.forwardMs };
    }
    return { ...r, speedups };
  });
}

/** `1.2×`, with two decimals under 1 so that 0.45× and 0.54× stay apart. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) {
    throw new RecurError('BAD_DATA', `formatRatio: ratio: expected a finite number > 0, got ${ratio}`);
  }
  return `${ratio < 1 ? ratio.toFixed(2) : ratio.toFixed(1)}×`;
}

/** `train× / forward×`, or '' when there is no such peer. */
export function formatSpeedup(s: Speedup | undefined): string {
  return s === undefined ? '' : `${formatRatio(s.train)} / ${formatRatio(s.forward)}`;
}

function backendLabel(r: BenchRecord): string {
  if (r.threads === undefined) return r.backend;
  return `${r.backend}, ${r.threads} thread${r.threads === 1 ? '' : 's'}`;
}

/**
 * The markdown table of a run: one row per record, with GFLOP/s and, on Recur's rows,
 * the speed-ups over tfjs-layers (brain.js beside it on W3) and over PyTorch at each
 * thread count in the run.
 */
export function markdownTable(records: readonly BenchRecord[]): string[] {
  const threads = [...new Set(records.flatMap((r) => (r.implementation === 'pytorch' ? [r.threads ?? 1] : [])))].sort();
  const pytorchHeads = threads.map((n) => ` speed-up vs PyTorch ${n} thread${n === 1 ? '' : 's'} |`).join('');
  const lines = [
    '| workload | backend | implementation | train ms | forward ms | train GFLOP/s | forward GFLOP/s | % of matMul ' +
      `| speed-up vs tfjs-layers (train / forward) |${pytorchHeads}`,
    `|---|---|---|---|---|---|---|---|---|${threads.map(() => '---|').join('')}`,
  ];
  for (const r of records) {
    const s = r.speedups ?? {};
    const brain = s['brain.js'] ? `(${formatRatio(s['brain.js'].train)} brain.js)` : '';
    const cells = [
      r.workload,
      backendLabel(r),
      r.implementation,
      r.trainMs.toFixed(1),
      r.forwardMs.toFixed(1),
      r.trainGflops.toFixed(2),
      r.forwardGflops.toFixed(2),
      Number.isNaN(r.percentOfMatmul) ? '' : `${r.percentOfMatmul.toFixed(0)}%`,
      [formatSpeedup(s['tfjs-layers']), brain].filter((cell) => cell !== '').join(' '),
      ...threads.map((n) => formatSpeedup(s[`pytorch-${n}t`])),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}
