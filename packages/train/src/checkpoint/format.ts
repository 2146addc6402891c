import { RecurError, type RngState } from '@recur/core';

/**
 * Recur checkpoint, format version 1. Layout (little-endian):
 *
 *   magic "RECURCKP" (8 bytes) · version u32 · header length u32 · header (UTF-8 JSON)
 *   · padding to 4 bytes · tensor data (float32/int32, each 4-byte aligned)
 *   · SHA-256 of everything before it (32 bytes)
 *
 * The header lists each tensor's name, dtype, shape, offset and length, plus the JSON
 * parts (step, config, RNG state, anything the trainer adds). Decoding checks every one
 * of these; any mismatch is `RecurError('CORRUPT_CHECKPOINT')` and nothing is returned.
 */
export const CHECKPOINT_FORMAT_VERSION = 1;
const MAGIC = 'RECURCKP';

export interface StoredTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}

export interface Checkpoint {
  /** Optimizer steps taken so far. */
  readonly step: number;
  /** Completed epochs. */
  readonly epoch: number;
  /** The model/training configuration that produced it (JSON). */
  readonly config: unknown;
  readonly rng: RngState;
  /** Model weights by stable name. */
  readonly weights: Readonly<Record<string, StoredTensor>>;
  /** Optimizer state in tfjs `getWeights()` order. */
  readonly optimizer: readonly (StoredTensor & { readonly name: string })[];
  /** Anything else worth resuming (best metric so far, early-stopping counters...). */
  readonly extra?: unknown;
}

interface HeaderEntry {
  group: 'weights' | 'optimizer';
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  length: number;
}

interface Header {
  step: number;
  epoch: number;
  config: unknown;
  rng: RngState;
  extra?: unknown;
  tensors: HeaderEntry[];
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export async function encodeCheckpoint(checkpoint: Checkpoint): Promise<Uint8Array> {
  const tensors: HeaderEntry[] = [];
  const chunks: (Float32Array | Int32Array)[] = [];
  let offset = 0;
  const add = (group: HeaderEntry['group'], name: string, t: StoredTensor) => {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) {
      throw new RecurError(
        'BAD_DATA',
        `checkpoint ${group} '${name}': shape [${t.shape}] holds ${size} values, received ${t.values.length}`,
      );
    }
    tensors.push({ group, name, dtype: t.dtype, shape: [...t.shape], offset, length: t.values.length });
    chunks.push(t.values);
    offset += t.values.length * 4;
  };
  for (const [name, t] of Object.entries(checkpoint.weights)) add('weights', name, t);
  for (const t of checkpoint.optimizer) add('optimizer', t.name, t);
  const header: Header = {
    step: checkpoint.step,
    epoch: checkpoint.epoch,
    config: checkpoint.config,
    rng: checkpoint.rng,
    extra: checkpoint.extra,
    tensors,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(16 + headerBytes.length);
  const total = dataStart + offset + 32;
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  let at = dataStart;
  for (const chunk of chunks) {
    out.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), at);
    at += chunk.byteLength;
  }
  out.set(await sha256(out.subarray(0, total - 32)), total - 32);
  return out;
}

function corrupt(why: string): RecurError {
  return new RecurError('CORRUPT_CHECKPOINT', `checkpoint is corrupt or not a Recur checkpoint: ${why}`);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

export async function decodeCheckpoint(bytes: Uint8Array): Promise<Checkpoint> {
  if (bytes.length < 16 + 32) throw corrupt(`only ${bytes.length} bytes`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw corrupt('wrong magic bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw corrupt(`format version ${version}, this Recur reads version ${CHECKPOINT_FORMAT_VERSION}`);
  }
  const expected = await sha256(bytes.subarray(0, bytes.length - 32));
  const stored = bytes.subarray(bytes.length - 32);
  if (!expected.every((b, i) => b === stored[i])) throw corrupt('checksum mismatch (truncated or altered)');
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length - 32) throw corrupt('header longer than the file');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
  } catch {
    throw corrupt('header is not JSON');
  }
  if (!Array.isArray(header?.tensors) || !Number.isInteger(header.step) || !Number.isInteger(header.epoch)) {
    throw corrupt('header lacks tensors, step or epoch');
  }
  const dataStart = align4(16 + headerLength);
  const dataLength = bytes.length - 32 - dataStart;
  const weights: Record<string, StoredTensor> = {};
  const optimizer: (StoredTensor & { name: string })[] = [];
  for (const e of header.tensors) {
    const size = Array.isArray(e.shape) ? e.shape.reduce((a, b) => a * b, 1) : Number.NaN;
    if (size !== e.length || e.offset % 4 !== 0 || e.offset < 0 || e.offset + e.length * 4 > dataLength) {
      throw corrupt(`tensor '${e.name}' does not fit the data section`);
    }
    // Copy out, so the result does not pin the file's buffer and is 4-byte aligned.
    const raw = bytes.slice(dataStart + e.offset, dataStart + e.offset + e.length * 4);
    const values = e.dtype === 'int32' ? new Int32Array(raw.buffer) : new Float32Array(raw.buffer);
    const t = { shape: e.shape, dtype: e.dtype, values };
    if (e.group === 'weights') weights[e.name] = t;
    else optimizer.push({ ...t, name: e.name });
  }
  return {
    step: header.step,
    epoch: header.epoch,
    config: header.config,
    rng: header.rng,
    weights,
    optimizer,
    extra: header.extra,
  };
}
