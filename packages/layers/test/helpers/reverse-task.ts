/**
 * The digit-reversal task for seq2seq tests: a source string of 3–6 digits, the target
 * the same digits reversed. Sources use PAD = 0 and digit d → d + 1; targets PAD = 0,
 * BEGIN = 1, END = 2 and digit d → d + 3.
 */
import type { Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ParamTree, Seq2SeqBatch } from '../../src/index.js';

export const SOURCE_VOCAB = 11;
export const TARGET_VOCAB = 13;
export const BEGIN = 1;
export const END = 2;
export const MIN_LENGTH = 3;
export const MAX_LENGTH = 6;

export function randomDigits(rng: Rng): number[] {
  const length = MIN_LENGTH + rng.int(MAX_LENGTH - MIN_LENGTH + 1);
  return Array.from({ length }, () => rng.int(10));
}

export const sourceIds = (digits: readonly number[]): number[] => digits.map((d) => d + 1);
/** The expected decoder output: the reversed digits, then END. */
export const targetIds = (digits: readonly number[]): number[] => [...[...digits].reverse().map((d) => d + 3), END];

/** A padded training batch (the caller owns its tensors). */
export function reverseBatch(strings: readonly (readonly number[])[]): Seq2SeqBatch {
  const batch = strings.length;
  const sourceTime = MAX_LENGTH;
  const time = MAX_LENGTH + 1;
  const pad = (ids: number[], n: number) => [...ids, ...Array.from({ length: n - ids.length }, () => 0)];
  const out = strings.map(targetIds);
  return {
    source: tf.tensor2d(
      strings.map((s) => pad(sourceIds(s), sourceTime)),
      [batch, sourceTime],
      'int32',
    ),
    sourceLengths: strings.map((s) => s.length),
    targetIn: tf.tensor2d(
      out.map((o) => pad([BEGIN, ...o.slice(0, -1)], time)),
      [batch, time],
      'int32',
    ),
    targetOut: tf.tensor2d(
      out.map((o) => pad(o, time)),
      [batch, time],
      'int32',
    ),
    targetMask: tf.tensor2d(
      out.map((o) =>
        pad(
          o.map(() => 1),
          time,
        ),
      ),
      [batch, time],
      'float32',
    ),
  };
}

/** The tree's tensors as host copies, keyed by path. */
export function snapshot(tree: ParamTree, path = ''): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  const walk = (node: ParamTree, at: string): void => {
    if (node instanceof tf.Tensor) {
      out.set(at, { shape: [...node.shape], values: node.dataSync() as Float32Array });
    } else if (Array.isArray(node)) {
      node.forEach((c, i) => {
        walk(c as ParamTree, `${at}/${i}`);
      });
    } else {
      for (const [k, c] of Object.entries(node)) walk(c as ParamTree, `${at}/${k}`);
    }
  };
  walk(tree, path);
  return out;
}

/** `like` with every tensor replaced by a new one holding the snapshot's values (the caller owns them). */
export function restore<T extends ParamTree>(like: T, saved: ReturnType<typeof snapshot>, path = ''): T {
  if (like instanceof tf.Tensor) {
    const s = saved.get(path);
    if (s === undefined) throw new Error(`no saved weight at ${path}`);
    return tf.tensor(s.values, s.shape) as unknown as T;
  }
  if (Array.isArray(like)) return like.map((c, i) => restore(c as ParamTree, saved, `${path}/${i}`)) as unknown as T;
  return Object.fromEntries(
    Object.entries(like).map(([k, c]) => [k, restore(c as ParamTree, saved, `${path}/${k}`)]),
  ) as unknown as T;
}
