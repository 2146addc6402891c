/**
 * The page's side of kernel-worker.ts: starts it as a module Web Worker (the
 * `new Worker(new URL(…, import.meta.url), { type: 'module' })` form bundlers such as
 * Vite recognise) and asks it one request at a time.
 */
import type { KernelReply, KernelRequest } from './kernel-worker.js';

export type KernelAnswer = Extract<KernelReply, { ok: true }>;

export interface KernelWorker {
  ask(request: KernelRequest): Promise<KernelAnswer>;
  terminate(): void;
}

export function startKernelWorker(): KernelWorker {
  const worker = new Worker(new URL('./kernel-worker.ts', import.meta.url), { type: 'module' });
  // A worker that failed to load answers nothing: every later request fails at once.
  let failed: Error | undefined;
  return {
    ask(request) {
      return new Promise((resolve, reject) => {
        if (failed !== undefined) return reject(failed);
        worker.onmessage = (event: MessageEvent<KernelReply>) => {
          const reply = event.data;
          if (reply.ok) resolve(reply);
          else reject(new Error(`kernel worker: ${reply.error}`));
        };
        worker.onerror = (event) => {
          failed = new Error(`kernel worker failed to load: ${event.message}`);
          reject(failed);
        };
        worker.postMessage(request);
      });
    },
    terminate: () => worker.terminate(),
  };
}
