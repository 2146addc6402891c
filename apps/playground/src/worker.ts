import { activeBackend, RecurError, useBackend } from '@recur/core';
import type { BatchEvent, Callbacks } from '@recur/train';
import type { BackendName, FromWorker, Task, ToWorker } from './protocol.js';
import { PLUGINS } from './worker/backends.js';
import { newCharModel } from './worker/char-model.js';
import { newForecastModel } from './worker/forecast-model.js';
import { decodeModel, encodeModel, type PlaygroundModel } from './worker/model-file.js';
import { parameterCount } from './worker/params.js';

/**
 * Trains, samples and saves in a Web Worker, so the page stays responsive. One job runs
 * at a time; `stop` is read between optimizer steps. A job that fails (unavailable
 * backend, bad input, wrong file) reports why and leaves the current model as it was.
 */
interface WorkerScope {
  postMessage(message: FromWorker, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}

const scope = self as unknown as WorkerScope;
let current: PlaygroundModel | undefined;
let busy = false;
let stopRequested = false;

const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function activate(name: BackendName): Promise<void> {
  if (activeBackend()?.name === name) return;
  const plugin = PLUGINS[name];
  try {
    await useBackend(plugin);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new RecurError('BACKEND_UNAVAILABLE', `The ${name} backend is not available in this browser. ${why}`, {
      cause,
    });
  }
  post({ type: 'backend', name, details: { ...plugin.capabilities().details } });
}

function summary(model: PlaygroundModel) {
  return {
    kind: model.kind,
    cell: model.config.cell ?? 'lstm',
    parameters: parameterCount(model.params),
    steps: model.steps,
    backend: activeBackend()?.name ?? '',
  };
}

async function train(backend: BackendName, task: Task): Promise<void> {
  stopRequested = false;
  await activate(backend);
  // Built (and the task checked) before the current model is touched.
  let model: PlaygroundModel;
  let run: (callbacks: Callbacks) => Promise<number[]>;
  if (task.kind === 'text') {
    const m = newCharModel(task);
    model = m;
    run = (callbacks) => m.train(task, callbacks);
  } else {
    const m = newForecastModel(task);
    model = m;
    run = (callbacks) => m.train(task, callbacks);
  }
  const callbacks: Callbacks = {
    async onBatchEnd(event: BatchEvent) {
      const itemsPerSecond = task.kind === 'text' ? event.tokensPerSecond : event.samplesPerSecond;
      post({ type: 'progress', step: event.step, loss: event.loss, itemsPerSecond });
      await nextTask();
    },
    shouldStop: () => stopRequested,
  };
  let losses: number[];
  try {
    losses = await run(callbacks);
  } catch (error) {
    model.dispose();
    throw error;
  }
  current?.dispose();
  current = model;
  post({ type: 'trained', model: summary(model), losses, stopped: stopRequested });
  if (task.kind === 'forecast') await forecast(task.values);
}

async function forecast(values: readonly number[]): Promise<void> {
  if (current?.kind !== 'forecast') throw new RecurError('BAD_CONFIG', 'Train or load a CO₂ forecaster first.');
  post({ type: 'forecast', truth: values, predicted: await current.forecast(values) });
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'train':
      return train(message.backend, message.task);
    case 'generate': {
      if (current?.kind !== 'text') throw new RecurError('BAD_CONFIG', 'Train or load a character model first.');
      const text = current.generate(message.prompt, message.length, message.decoding);
      post({ type: 'generated', prompt: message.prompt, text });
      return;
    }
    case 'forecast':
      return forecast(message.values);
    case 'export': {
      if (current === undefined)
        throw new RecurError('BAD_CONFIG', 'There is no model to download yet: train one first.');
      const bytes = await encodeModel(current);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      post({ type: 'exported', bytes: buffer, fileName: `recur-${current.kind}-model.recur` }, [buffer]);
      return;
    }
    case 'import': {
      await activate(message.backend);
      const model = await decodeModel(new Uint8Array(message.bytes));
      current?.dispose();
      current = model;
      post({ type: 'imported', model: summary(model) });
      return;
    }
    case 'stop':
      stopRequested = true;
      return;
  }
}

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'stop') {
    stopRequested = true;
    return;
  }
  if (busy) {
    post({ type: 'error', message: 'Still working on the previous request; wait for it or press Stop.' });
    return;
  }
  busy = true;
  try {
    await handle(message);
  } catch (error) {
    const code = error instanceof RecurError ? error.code : undefined;
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), ...(code ? { code } : {}) });
  } finally {
    busy = false;
  }
};
