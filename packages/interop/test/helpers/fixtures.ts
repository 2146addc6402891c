import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

const dir = new URL('../fixtures/', import.meta.url);

/** The bytes of a committed fixture file. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, dir)));
}

/** A fixture's JSON record (inputs and PyTorch's outputs, as nested lists). */
export function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as T;
}

/** Nested lists to a float32 tensor. */
export function nested(values: unknown): tf.Tensor {
  return tf.tensor(values as number[], undefined, 'float32');
}
