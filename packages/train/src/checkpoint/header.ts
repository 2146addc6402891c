import { RecurError, Rng, type RngState } from '@recur/core';

/** The tensor groups of a checkpoint: `auxiliary` arrived with format version 2. */
export const TENSOR_GROUPS = ['weights', 'optimizer', 'auxiliary'] as const;
export type TensorGroup = (typeof TENSOR_GROUPS)[number];

export interface HeaderEntry {
  readonly group: TensorGroup;
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  /** Byte offset into the data section. */
  readonly offset: number;
  /** Number of 4-byte values. */
  readonly length: number;
}

export interface Header {
  readonly step: number;
  readonly epoch: number;
  readonly config: unknown;
  readonly rng: RngState;
  readonly extra?: unknown;
  readonly tensors: readonly HeaderEntry[];
}

/** More dimensions than any Recur tensor has; a bound that keeps shape checks cheap. */
const MAX_RANK = 8;

export function corrupt(why: string): RecurError {
  return new RecurError('CORRUPT_CHECKPOINT', `checkpoint is corrupt or not a Recur checkpoint: ${why}`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks a parsed header field by field, as an attacker could have written it and fixed
 * the checksum up: counts are non-negative integers, every tensor has a known group and
 * dtype, a shape of non-negative integers whose product is its length, and the tensors
 * tile the data section in order, each byte owned by exactly one tensor (no overlap, no
 * gap, no duplicate name within a group).
 */
export function checkHeader(header: unknown, version: number, dataLength: number): Header {
  if (!isRecord(header)) throw corrupt('header is not a JSON object');
  if (!isCount(header.step)) throw corrupt(`step ${JSON.stringify(header.step)} is not a non-negative integer`);
  if (!isCount(header.epoch)) throw corrupt(`epoch ${JSON.stringify(header.epoch)} is not a non-negative integer`);
  try {
    Rng.fromState(header.rng as RngState);
  } catch {
    throw corrupt('rng is not a generator state');
  }
  if (!Array.isArray(header.tensors)) throw corrupt('header lacks its tensor list');
  const groups: readonly string[] = version >= 2 ? TENSOR_GROUPS : TENSOR_GROUPS.slice(0, 2);
  const seen = new Set<string>();
  let next = 0;
  header.tensors.forEach((e: unknown, i: number) => {
    const where = `tensor ${i}`;
    if (!isRecord(e)) throw corrupt(`${where} is ${JSON.stringify(e)}, not an object`);
    if (typeof e.group !== 'string' || !groups.includes(e.group)) {
      throw corrupt(`${where}: group ${JSON.stringify(e.group)} is not one of ${groups.join(', ')}`);
    }
    if (typeof e.name !== 'string' || e.name.length === 0) throw corrupt(`${where}: name is not a non-empty string`);
    const named = `${where} (${e.group} '${e.name}')`;
    const key = `${e.group}\u0000${e.name}`;
    if (seen.has(key)) throw corrupt(`${named} appears twice`);
    seen.add(key);
    if (e.dtype !== 'float32' && e.dtype !== 'int32') {
      throw corrupt(`${named}: dtype ${JSON.stringify(e.dtype)} is not float32 or int32`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every(isCount)) {
      throw corrupt(`${named}: shape ${JSON.stringify(shape)} is not a list of at most ${MAX_RANK} counts`);
    }
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    if (!isCount(e.length) || e.length !== size) {
      throw corrupt(`${named}: length ${JSON.stringify(e.length)} does not match shape [${shape}]`);
    }
    if (e.offset !== next) {
      throw corrupt(`${named}: offset ${JSON.stringify(e.offset)}, expected ${next} (tensors overlap or leave a gap)`);
    }
    next += e.length * 4;
    if (next > dataLength) throw corrupt(`${named} runs past the end of the data section`);
  });
  if (next !== dataLength) throw corrupt(`tensors cover ${next} of the ${dataLength} data bytes`);
  return header as unknown as Header;
}
