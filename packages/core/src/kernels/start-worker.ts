/**
 * Starting one worker of a plug-in's thread pool, in Node or in a browser, from the
 * source of a classic script (no file beside the bundle, no bundler setting). The script
 * keeps one protocol in both: its data comes first (Node: `workerData`; browsers: the
 * first message), then it posts one message to say it is ready.
 */
import { RecurError } from '../errors.js';
import { inNode } from './thread-plan.js';

/** A started worker: all a pool does with it afterwards is end it. */
export interface PoolWorker {
  terminate(): unknown;
}

interface NodeWorker extends PoolWorker {
  once(event: 'message' | 'error' | 'exit', listener: (value: unknown) => void): void;
  unref(): void;
}
type NodeWorkerClass = new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;

interface BrowserWorker extends PoolWorker {
  postMessage(data: unknown): void;
  onmessage: (() => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}
type BrowserWorkerClass = new (url: string) => BrowserWorker;

/** A Node `eval` worker; it does not keep the process alive (unref). */
async function startNodeWorker(source: string, data: unknown, pool: string): Promise<PoolWorker> {
  // A variable specifier keeps browser bundlers from resolving a Node built-in.
  const specifier = 'node:worker_threads';
  const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: NodeWorkerClass };
  const worker = new Worker(source, { eval: true, workerData: data });
  worker.unref();
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', (cause) =>
      reject(new RecurError('BACKEND_UNAVAILABLE', `${pool}: a worker failed to start: ${String(cause)}`, { cause })),
    );
    worker.once('exit', () =>
      reject(new RecurError('BACKEND_UNAVAILABLE', `${pool}: a worker exited before it was ready`)),
    );
  });
  return worker;
}

/**
 * A Web Worker from a `blob:` URL: same-origin, so a cross-origin-isolated page (COEP
 * `require-corp`) may start it, and it inherits the isolation that `SharedArrayBuffer`
 * needs. Workers may start workers of their own, which is where pools run in a browser.
 */
async function startBrowserWorker(source: string, data: unknown, pool: string): Promise<PoolWorker> {
  const { Worker } = globalThis as unknown as { Worker?: BrowserWorkerClass };
  if (Worker === undefined) {
    throw new RecurError('BACKEND_UNAVAILABLE', `${pool}: expected Web Workers in this environment, found none`);
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    const worker = new Worker(url);
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (event) =>
        reject(
          new RecurError('BACKEND_UNAVAILABLE', `${pool}: a worker failed to start: ${event.message ?? 'no message'}`),
        );
      worker.postMessage(data);
    }).catch((error: unknown) => {
      worker.terminate();
      throw error;
    });
    worker.onmessage = null;
    return worker;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Starts a worker running `source` with `data` (cloned to it: shared memory stays
 * shared) and resolves once it is ready; `pool` names the pool in errors.
 */
export function startWorker(source: string, data: unknown, pool: string): Promise<PoolWorker> {
  return inNode() ? startNodeWorker(source, data, pool) : startBrowserWorker(source, data, pool);
}
