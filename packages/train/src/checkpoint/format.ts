import { badArgument, RecurError, type RngState } from '@recur/core';
import { checkHeader, corrupt, type Header, type HeaderEntry } from './header.js';

/**
 * Recur checkpoint, format version 2 (version 1, without auxiliary tensors, is still
 * read). Layout (little-endian):
 *
 *   magic "RECURCKP" (8 bytes) · version u32 · header length u32 · header (UTF-8 JSON)
 *   · padding to 4 bytes · tensor data (float32/int32, each 4-byte aligned)
 *   · SHA-256 of everything before it (32 bytes)
 *
 * The header lists each tensor's name, dtype, shape, offset and length, plus the JSON
 * parts (step, config, RNG state, anything the trainer adds). Decoding checks every one
 * of these; any mismatch is `RecurError('CORRUPT_CHECKPOINT')` and nothing is returned.
 */
export const CHECKPOINT_FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];
const MAGIC = 'RECURCKP';

/** One tensor as a checkpoint holds it: dtype, shape and values. */
export interface StoredTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}

/** A snapshot of training that `fit` resumes from exactly: weights, optimizer state, position and progress. */
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
  /**
   * Other tensors a resume needs, by name: the state carried between truncated-BPTT
   * chunks when a run stopped inside a batch, early stopping's best weights, recent losses.
   */
  readonly auxiliary?: Readonly<Record<string, StoredTensor>>;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/**
 * The checkpoint as bytes (format `CHECKPOINT_FORMAT_VERSION`): a JSON header with a
 * SHA-256 of the data, then the tensors' raw values; `decodeCheckpoint` reads it back.
 */
export async function encodeCheckpoint(checkpoint: Checkpoint): Promise<Uint8Array> {
  for (const field of ['step', 'epoch'] as const) {
    const value = checkpoint?.[field];
    if (!(Number.isSafeInteger(value) && value >= 0)) {
      throw badArgument('BAD_DATA', `checkpoint.${field}`, 'a non-negative integer', value);
    }
  }
  const tensors: HeaderEntry[] = [];
  const chunks: (Float32Array | Int32Array)[] = [];
  let offset = 0;
  const add = (group: HeaderEntry['group'], name: string, t: StoredTensor) => {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new RecurError(
        'BAD_DATA',
        `checkpoint ${group} '${name}': dtype must be float32 or int32, received ${t.dtype}`,
      );
    }
    if (!(t.values instanceof (t.dtype === 'int32' ? Int32Array : Float32Array))) {
      throw new RecurError(
        'BAD_DATA',
        `checkpoint ${group} '${name}': ${t.dtype} values must come as a typed array of that type`,
      );
    }
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
  for (const [name, t] of Object.entries(checkpoint.auxiliary ?? {})) add('auxiliary', name, t);
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

function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Reads a checkpoint. Every field is checked before anything is returned (see
 * `checkHeader`): a damaged or crafted file is `RecurError('CORRUPT_CHECKPOINT')`, never a
 * half-read checkpoint. Tensor records have no prototype, so no tensor name (`__proto__`
 * included) can reach one.
 */
export async function decodeCheckpoint(bytes: Uint8Array): Promise<Checkpoint> {
  if (!(bytes instanceof Uint8Array)) throw corrupt('expected the bytes of a file (a Uint8Array)');
  if (bytes.length < 16 + 32) throw corrupt(`only ${bytes.length} bytes`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw corrupt('wrong magic bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (!READABLE_VERSIONS.includes(version)) {
    throw corrupt(`format version ${version}, this Recur reads versions ${READABLE_VERSIONS.join(' and ')}`);
  }
  const expected = await sha256(bytes.subarray(0, bytes.length - 32));
  const stored = bytes.subarray(bytes.length - 32);
  if (!expected.every((b, i) => b === stored[i])) throw corrupt('checksum mismatch (truncated or altered)');
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length - 32) throw corrupt('header longer than the file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLength)));
  } catch {
    throw corrupt('header is not UTF-8 JSON');
  }
  const dataStart = align4(16 + headerLength);
  if (dataStart > bytes.length - 32) throw corrupt('header longer than the file');
  const header: Header = checkHeader(parsed, version, bytes.length - 32 - dataStart);
  const weights: Record<string, StoredTensor> = Object.create(null);
  const auxiliary: Record<string, StoredTensor> = Object.create(null);
  const optimizer: (StoredTensor & { name: string })[] = [];
  for (const e of header.tensors) {
    // Copy out, so the result does not pin the file's buffer and is 4-byte aligned.
    const raw = bytes.slice(dataStart + e.offset, dataStart + e.offset + e.length * 4);
    const values = e.dtype === 'int32' ? new Int32Array(raw.buffer) : new Float32Array(raw.buffer);
    const t = { shape: [...e.shape], dtype: e.dtype, values };
    if (e.group === 'optimizer') optimizer.push({ ...t, name: e.name });
    else (e.group === 'weights' ? weights : auxiliary)[e.name] = t;
  }
  return {
    step: header.step,
    epoch: header.epoch,
    config: header.config,
    rng: header.rng,
    weights,
    optimizer,
    extra: header.extra,
    ...(Object.keys(auxiliary).length > 0 ? { auxiliary } : {}),
  };
}
