/**
 * The speed targets of issue 18, checked against one run's records. A target whose rows
 * the run lacks (a workload, backend or PyTorch left out) is not listed.
 */
import type { BenchRecord } from './report.js';

type Phase = 'train' | 'forward';

interface Target {
  readonly label: string;
  readonly workload: string;
  readonly backend: string;
  readonly phase: Phase;
  /** The limit in ms, from the run's rows (PyTorch-relative targets) or fixed. */
  readonly limit: (records: readonly BenchRecord[]) => number | undefined;
  readonly limitLabel: string;
}

const ms = (r: BenchRecord, phase: Phase) => (phase === 'train' ? r.trainMs : r.forwardMs);

function pytorchMs(workload: string, threads: number, phase: Phase, factor = 1) {
  return (records: readonly BenchRecord[]) => {
    const r = records.find((p) => p.implementation === 'pytorch' && p.workload === workload && p.threads === threads);
    return r === undefined ? undefined : factor * ms(r, phase);
  };
}

const fixed = (limitMs: number) => () => limitMs;

/** W1 cpu's training step when issue 18 was filed (results of 2026-11-23). */
const W1_CPU_TRAIN_BEFORE_MS = 1166;

function relativeToPytorch(workload: string): Target[] {
  const wasm = { workload, backend: 'wasm' };
  return [
    { ...wasm, label: `${workload} training step on wasm`, phase: 'train', ...vs(workload, 1, 'train', 1) },
    { ...wasm, label: `${workload} training step on wasm (stretch)`, phase: 'train', ...vs(workload, 2, 'train', 1) },
    { ...wasm, label: `${workload} forward on wasm`, phase: 'forward', ...vs(workload, 1, 'forward', 1.5) },
  ];
}

function vs(workload: string, threads: number, phase: Phase, factor: number) {
  const times = factor === 1 ? '' : `${factor}× `;
  return {
    limit: pytorchMs(workload, threads, phase, factor),
    limitLabel: `≤ ${times}PyTorch ${threads} thread${threads === 1 ? '' : 's'}`,
  };
}

export const ISSUE_18_TARGETS: readonly Target[] = [
  ...relativeToPytorch('W1'),
  ...relativeToPytorch('W2'),
  {
    label: 'W3 training step on wasm',
    workload: 'W3',
    backend: 'wasm',
    phase: 'train',
    limit: fixed(1),
    limitLabel: '≤ 1 ms',
  },
  {
    label: 'W3 training step on cpu',
    workload: 'W3',
    backend: 'cpu',
    phase: 'train',
    limit: fixed(2),
    limitLabel: '≤ 2 ms',
  },
  {
    label: 'W1 training step on cpu',
    workload: 'W1',
    backend: 'cpu',
    phase: 'train',
    limit: fixed(W1_CPU_TRAIN_BEFORE_MS / 2),
    limitLabel: `≤ 0.5× ${W1_CPU_TRAIN_BEFORE_MS} ms`,
  },
];

/** A markdown table of the targets the run can judge: limit, Recur's time, met or not. */
export function targetLines(records: readonly BenchRecord[], targets: readonly Target[] = ISSUE_18_TARGETS): string[] {
  const rows: string[] = [];
  for (const t of targets) {
    const recur = records.find(
      (r) => r.implementation === 'recur' && r.workload === t.workload && r.backend === t.backend,
    );
    const limit = t.limit(records);
    if (recur === undefined || limit === undefined) continue;
    const measured = ms(recur, t.phase);
    const met = measured <= limit ? 'met' : 'not met';
    rows.push(`| ${t.label} ${t.limitLabel} | ${measured.toFixed(1)} ms against ${limit.toFixed(1)} ms | ${met} |`);
  }
  return rows.length === 0 ? [] : ['| issue 18 target | measured | |', '|---|---|---|', ...rows];
}
