/**
 * The cpu pool's shared memory, which the calling thread and every worker see whole.
 * A worker blocked in `Atomics.wait` cannot take a message in a browser (only Node has
 * `receiveMessageOnPort`), so a call travels in this memory alone: the job as JSON in
 * the worker's message area, its arrays in the arena, and the outputs back the same way.
 *
 * It is a shared `WebAssembly.Memory` rather than a `SharedArrayBuffer` because it grows
 * in place, for every thread at once: a bigger `SharedArrayBuffer` would have to be sent
 * to each blocked worker, which cannot receive it.
 *
 * Layout: int32 control words (the arena's end, then each slot's state and message
 * length), one message area per worker, then the arena: the call's inputs, written by the
 * calling thread, and each worker's outputs, which it allocates by an atomic add on the
 * arena's end. Nothing here imports a package: the workers' bundle includes this file.
 *
 * What this costs against Node's message ports (the pool's former transport, which
 * transferred outputs rather than copied them), W1 on 2 threads (LSTM, batch 32, T 64,
 * input 64, hidden 256), CPU time of all threads, medians of 5, one after the other on
 * the shared 2-core machine at load average 16–17: forward 606 against 576 ms, forward
 * and backward 1494 against 1481 ms; one copy of the outputs, within the noise.
 */

const PAGE = 65536;
/** The arena's end as an int32 limits the memory to 2 GiB. */
const MAX_PAGES = 32768;
const END = 0;
const CONTROL_BYTES = 1024;
/** The longest job or reply a message area holds, as UTF-8 JSON. */
export const MESSAGE_BYTES = 16384;

/** A new pool memory for `threads` (the calling thread and `threads − 1` workers). */
export function poolMemory(threads: number): WebAssembly.Memory {
  const bytes = arenaStart(threads);
  return new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE), maximum: MAX_PAGES, shared: true });
}

/** The int32 words that say slot `slot`'s state, and the length of its message. */
export const stateAt = (slot: number): number => 1 + 2 * slot;
const lengthAt = (slot: number): number => 2 + 2 * slot;
const messageAt = (slot: number): number => CONTROL_BYTES + (slot - 1) * MESSAGE_BYTES;
const arenaStart = (threads: number): number => CONTROL_BYTES + (threads - 1) * MESSAGE_BYTES;

/** The control words (a view that stays valid when the memory grows: growing keeps the bytes in place). */
export const controlOf = (memory: WebAssembly.Memory): Int32Array =>
  new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);

/** Empties the arena of a pool of `threads`, then allocates `bytes` for the call's inputs; returns their offset. */
export function resetArena(memory: WebAssembly.Memory, threads: number, bytes: number): number {
  Atomics.store(controlOf(memory), END, arenaStart(threads));
  return allocate(memory, bytes);
}

/**
 * `bytes` (rounded up to 8) in the arena, for any thread, growing the memory if it must;
 * -1 when the pool's 2 GiB cannot hold them. Failures are values here, not errors: this
 * file is bundled into the workers, which import no package, so the caller (the pool, or
 * a worker replying) turns them into its own report.
 */
export function allocate(memory: WebAssembly.Memory, bytes: number): number {
  const size = Math.ceil(bytes / 8) * 8;
  if (size > MAX_PAGES * PAGE) return -1;
  const at = Atomics.add(controlOf(memory), END, size);
  if (at < 0 || at + size > MAX_PAGES * PAGE) return -1;
  // Two threads may both grow it; the second grows it a little more than needed, no harm.
  const missing = Math.ceil((at + size - memory.buffer.byteLength) / PAGE);
  if (missing > 0) memory.grow(missing);
  return at;
}

/** JSON keeps no ±Infinity or NaN; an attribute may be one. */
const replacer = (_: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { number: String(v) } : v);
const reviver = (_: string, v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  Object.keys(v).length === 1 &&
  typeof (v as { number?: unknown }).number === 'string'
    ? Number((v as { number: string }).number)
    : v;

/**
 * Writes `value` as JSON into slot `slot`'s message area; false, writing nothing, when it
 * takes more than the area's `MESSAGE_BYTES`.
 */
export function writeMessage(memory: WebAssembly.Memory, slot: number, value: unknown): boolean {
  const bytes = new TextEncoder().encode(JSON.stringify(value, replacer));
  if (bytes.length > MESSAGE_BYTES) return false;
  new Uint8Array(memory.buffer, messageAt(slot), bytes.length).set(bytes);
  Atomics.store(controlOf(memory), lengthAt(slot), bytes.length);
  return true;
}

/** The message in slot `slot`'s area. */
export function readMessage(memory: WebAssembly.Memory, slot: number): unknown {
  const length = Atomics.load(controlOf(memory), lengthAt(slot));
  // TextDecoder refuses views of shared memory: decode a copy.
  const bytes = new Uint8Array(memory.buffer, messageAt(slot), length).slice();
  return JSON.parse(new TextDecoder().decode(bytes), reviver);
}
