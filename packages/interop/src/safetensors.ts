/**
 * The safetensors format (huggingface/safetensors, the format of PyTorch checkpoints on
 * the Hub): an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { key: string } }`
 * with offsets relative to the end of the header, then the raw little-endian data. The
 * format forbids holes and overlaps in the data, so a valid file is indexed end to end.
 *
 * The whole file is checked before any tensor is made: a malformed file throws
 * `RecurError('CORRUPT_FILE')` and allocates nothing.
 */
import { badArgument, isTensor, RecurError } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { concatBytes, float32Bytes } from './bytes.js';

/** Element types read (each becomes float32) and their sizes in bytes. */
const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, F64: 8 } as const;
/** Element types a safetensors file may hold here (each read as float32). */
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** The upstream reader's limit: a header past it is an attack or a mistake. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA = '__metadata__';

/** What `readSafetensors` returns. The caller owns (and disposes) the tensors. */
export interface Safetensors {
  /** float32 tensors by name, in file order. */
  readonly tensors: Record<string, tf.Tensor>;
  /** The free-form string map of the header's `__metadata__` (empty when absent). */
  readonly metadata: Record<string, string>;
}

interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function corrupt(what: string): RecurError {
  return new RecurError('CORRUPT_FILE', `safetensors: ${what}`);
}

/**
 * Reads a safetensors file's bytes into float32 tensors (F32, F16, BF16 and F64 are
 * read; any other dtype is refused). Throws `RecurError('CORRUPT_FILE')`, before making
 * any tensor, when the header is truncated, not JSON, or an entry's dtype, shape or
 * offsets do not fit the data.
 */
export function readSafetensors(bytes: Uint8Array): Safetensors {
  if (!(bytes instanceof Uint8Array)) throw badArgument('BAD_DATA', 'bytes', 'a Uint8Array', bytes);
  const { entries, metadata, dataStart } = parseHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of entries) {
    tensors[e.name] = tf.tensor(decode(view, dataStart + e.begin, e.end - e.begin, e.dtype), e.shape, 'float32');
  }
  return { tensors, metadata };
}

function parseHeader(bytes: Uint8Array): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.byteLength < 8) throw corrupt(`file of ${bytes.byteLength} bytes is shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER_BYTES) throw corrupt(`header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + n > bytes.byteLength) {
    throw corrupt(`header of ${n} bytes is truncated: the file holds ${bytes.byteLength - 8} after the length`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (error) {
    throw new RecurError('CORRUPT_FILE', `safetensors: header is not UTF-8 JSON (${String(error)})`, {
      cause: error,
    });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw corrupt('header is not a JSON object');
  }
  const dataLength = bytes.byteLength - 8 - n;
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA) metadata = checkMetadata(value);
    else entries.push(checkEntry(name, value, dataLength));
  }
  // The format's own rule: the data is covered exactly, entry after entry.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      throw corrupt(`'${e.name}' starts at byte ${e.begin} of the data, expected ${at} (a hole or an overlap)`);
    }
    at = e.end;
  }
  if (at !== dataLength) throw corrupt(`the tensors cover ${at} bytes of data, the file holds ${dataLength}`);
  return { entries, metadata, dataStart: 8 + n };
}

function checkMetadata(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw corrupt('__metadata__ is not an object of strings');
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw corrupt(`__metadata__.${k} is not a string`);
  }
  return { ...(value as Record<string, string>) };
}

function checkEntry(name: string, value: unknown, dataLength: number): Entry {
  const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (e === null || typeof e !== 'object') throw corrupt(`'${name}' is not an object`);
  const { dtype, shape, data_offsets: offsets } = e;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw corrupt(
      `'${name}' has dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(DTYPE_BYTES).join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw corrupt(`'${name}' has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1] ||
    offsets[1] > dataLength
  ) {
    throw corrupt(
      `'${name}' has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] within the ${dataLength} data bytes`,
    );
  }
  const [begin, end] = offsets as [number, number];
  const size = shape.reduce((a: number, b: number) => a * b, 1) * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (end - begin !== size) {
    throw corrupt(`'${name}' (${dtype} [${shape.join(', ')}]) needs ${size} bytes, its offsets span ${end - begin}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end };
}

/** Whether this machine stores numbers little-endian, as the format does (every JS platform in practice). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decode(view: DataView, start: number, byteLength: number, dtype: SafetensorsDtype): Float32Array {
  if (dtype === 'F32' && LITTLE_ENDIAN) {
    // A copy (the offset need not be 4-aligned), then the bytes as they are.
    return new Float32Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + byteLength));
  }
  const out = new Float32Array(byteLength / DTYPE_BYTES[dtype]);
  const read = {
    F32: (i: number) => view.getFloat32(start + 4 * i, true),
    F64: (i: number) => view.getFloat64(start + 8 * i, true),
    F16: (i: number) => halfToFloat(view.getUint16(start + 2 * i, true)),
    // bfloat16 is the top half of a float32: its bits go to the high 16 of the word.
    BF16: (i: number) => view.getUint16(start + 2 * i, true) << 16,
  }[dtype];
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = read(i);
  } else {
    for (let i = 0; i < out.length; i++) out[i] = read(i);
  }
  return out;
}

/** IEEE 754 binary16 → number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * A safetensors file holding `tensors` as F32 (any tfjs dtype is cast to float32), in
 * the given order, with `metadata` as `__metadata__`. The header is padded with spaces
 * to a multiple of 8 bytes, as the reference writer does, so the data is aligned.
 */
export function writeSafetensors(
  tensors: Readonly<Record<string, tf.Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') {
    throw badArgument('BAD_DATA', 'tensors', 'a record of tensors by name', tensors);
  }
  if (
    metadata === null ||
    typeof metadata !== 'object' ||
    !Object.values(metadata).every((v) => typeof v === 'string')
  ) {
    throw badArgument('BAD_DATA', 'metadata', 'a record of strings', metadata);
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA] = metadata;
  const datas: Float32Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === METADATA) throw badArgument('BAD_DATA', 'tensors', `no tensor named '${METADATA}'`, name);
    if (!isTensor(t)) throw badArgument('BAD_DATA', `tensors['${name}']`, 'a tensor', t);
    const data = t.dtype === 'float32' ? (t.dataSync() as Float32Array) : Float32Array.from(t.dataSync());
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * data.length] };
    datas.push(data);
    offset += 4 * data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padding = new Uint8Array((8 - (json.length % 8)) % 8).fill(0x20);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length + padding.length), true);
  return concatBytes([length, json, padding, float32Bytes(datas)]);
}
