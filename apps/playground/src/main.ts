import { CO2, MOBY_DICK } from 'virtual:playground-data';
import { drawChart } from './chart.js';
import type { BackendName, CellName, Decoding, ForecastBody, FromWorker, Task, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const number = (id: string) => Number(input(id).value);

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

const losses: number[] = [];
/** The previous curve stays until the new run's first step: a rejected run keeps it. */
let newRun = false;
let trainedKind: 'text' | 'forecast' | undefined;
/** The backend the worker runs on, as the status line shows it (`on wasm: …`). */
let backendLine = '';

/** `data-state` on <body> tells tests (and styles) what the page is doing. */
function setState(state: 'idle' | 'working' | 'trained' | 'error'): void {
  document.body.dataset.state = state;
  const working = state === 'working';
  $<HTMLButtonElement>('train').disabled = working;
  $<HTMLButtonElement>('stop').disabled = !working;
  $<HTMLButtonElement>('generate').disabled = working || trainedKind !== 'text';
  $<HTMLButtonElement>('download').disabled = working || trainedKind === undefined;
  input('upload').disabled = working;
}

function showError(message: string | undefined): void {
  const box = $('error');
  box.hidden = message === undefined;
  box.textContent = message ?? '';
}

function selectedTask(): 'text' | 'forecast' {
  return $<HTMLSelectElement>('task').value === 'forecast' ? 'forecast' : 'text';
}

function showTaskOptions(): void {
  const forecast = selectedTask() === 'forecast';
  $('text-options').hidden = forecast;
  $('forecast-options').hidden = !forecast;
  $('sample-panel').hidden = forecast;
  $('forecast-panel').hidden = !forecast;
  // A time-delay stack reads a window into one forecast; it has no step to generate text with.
  const cell = $<HTMLSelectElement>('cell');
  for (const option of cell.querySelectorAll<HTMLOptionElement>('option[data-forecast-only]')) {
    option.disabled = !forecast;
    option.hidden = !forecast;
    if (!forecast && option.selected) cell.value = 'lstm';
  }
}

function readTask(): Task {
  const common = {
    steps: number('steps'),
    learningRate: number('lr'),
    units: number('units'),
    batchSize: number('batch'),
  };
  const cell = $<HTMLSelectElement>('cell').value;
  if (selectedTask() === 'forecast')
    return {
      kind: 'forecast',
      cell: cell as ForecastBody,
      values: CO2.values,
      lookBack: number('look-back'),
      ...common,
    };
  const pasted = (document.querySelector('input[name=source]:checked') as HTMLInputElement).value === 'pasted';
  return {
    kind: 'text',
    cell: cell as CellName,
    text: pasted ? $<HTMLTextAreaElement>('pasted').value : MOBY_DICK,
    seqLength: number('seq-length'),
    ...common,
  };
}

function drawLosses(): void {
  drawChart($('loss-chart'), [{ values: losses, color: '#3f66d6', label: 'training loss' }], 'step');
  const summary = $('loss-summary');
  if (losses.length === 0) {
    summary.textContent = 'No training yet.';
    return;
  }
  const first = losses[0] as number;
  const last = losses[losses.length - 1] as number;
  summary.textContent = `step ${losses.length}: loss ${first.toFixed(3)} → ${last.toFixed(3)}`;
  summary.dataset.firstLoss = String(first);
  summary.dataset.lastLoss = String(last);
  summary.dataset.steps = String(losses.length);
}

/** Mean absolute error of the forecast months, shown and kept in `data-mae`. */
function showForecastError(truth: readonly number[], predicted: readonly (number | null)[]): void {
  const errors = predicted.flatMap((p, i) => (p === null ? [] : [Math.abs(p - (truth[i] as number))]));
  const mae = errors.reduce((a, b) => a + b, 0) / Math.max(errors.length, 1);
  const line = $('forecast-error');
  line.textContent = `Mean absolute error over ${errors.length} held-out months: ${mae.toFixed(2)} ppm.`;
  line.dataset.mae = String(mae);
}

function receive(message: FromWorker): void {
  switch (message.type) {
    case 'backend': {
      const facts = Object.entries(message.details)
        .filter(([k, v]) => k !== 'implementation' && v !== '')
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
      backendLine = `on ${message.name}: ${message.details.implementation ?? ''}${facts ? ` (${facts})` : ''}`;
      $('status').textContent = `Running ${backendLine}`;
      document.body.dataset.backend = message.name;
      return;
    }
    case 'progress':
      if (newRun) {
        losses.length = 0;
        newRun = false;
      }
      losses.push(message.loss);
      drawLosses();
      $('throughput').textContent = `${Math.round(message.itemsPerSecond).toLocaleString('en')} ${
        selectedTask() === 'text' ? 'characters' : 'windows'
      }/s`;
      return;
    case 'trained':
      trainedKind = message.model.kind;
      $('model-info').textContent =
        `${message.model.kind === 'text' ? 'Character model' : 'CO₂ forecaster'} (${message.model.cell}): ${message.model.parameters.toLocaleString('en')} parameters, ${message.model.steps} steps, trained on ${message.model.backend}.`;
      $('status').textContent = `${message.stopped ? 'Stopped' : 'Done'} ${backendLine}`;
      if (message.model.kind === 'text') setState('trained');
      return;
    case 'forecast':
      drawChart(
        $('forecast-chart'),
        [
          { values: message.truth, color: '#1d2433', label: 'measured' },
          { values: message.predicted, color: '#d6543f', label: 'forecast' },
        ],
        'month',
      );
      showForecastError(message.truth, message.predicted);
      setState('trained');
      return;
    case 'generated':
      $('sample').textContent = message.prompt + message.text;
      setState('trained');
      return;
    case 'exported': {
      const url = URL.createObjectURL(new Blob([message.bytes], { type: 'application/octet-stream' }));
      const link = Object.assign(document.createElement('a'), { href: url, download: message.fileName });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState('trained');
      return;
    }
    case 'imported':
      trainedKind = message.model.kind;
      $<HTMLSelectElement>('task').value = message.model.kind;
      showTaskOptions();
      $<HTMLSelectElement>('cell').value = message.model.cell;
      $('model-info').textContent =
        `Loaded a ${message.model.kind === 'text' ? 'character model' : 'CO₂ forecaster'} (${message.model.cell}): ${message.model.parameters.toLocaleString('en')} parameters, ${message.model.steps} steps.`;
      if (message.model.kind === 'forecast') send({ type: 'forecast', values: CO2.values });
      else setState('trained');
      return;
    case 'error':
      if (newRun) $('throughput').textContent = '–';
      newRun = false;
      showError(message.message);
      setState(trainedKind === undefined ? 'idle' : 'trained');
      document.body.dataset.lastError = message.code ?? 'ERROR';
      return;
  }
}

worker.onmessage = (event: MessageEvent<FromWorker>) => receive(event.data);
worker.onerror = (event) => {
  showError(`The training worker failed: ${event.message}`);
  setState('error');
};

$('task').addEventListener('change', showTaskOptions);
$('train').addEventListener('click', () => {
  showError(undefined);
  newRun = true;
  $('throughput').textContent = 'starting…';
  setState('working');
  send({ type: 'train', backend: $<HTMLSelectElement>('backend').value as BackendName, task: readTask() });
});
$('stop').addEventListener('click', () => send({ type: 'stop' }));
$('generate').addEventListener('click', () => {
  showError(undefined);
  const decoding: Decoding =
    $<HTMLSelectElement>('decoding').value === 'beam'
      ? { kind: 'beam', beamWidth: number('beam-width') }
      : { kind: 'sample', temperature: number('temperature'), topK: number('top-k'), seed: Date.now() % 2 ** 31 };
  setState('working');
  send({ type: 'generate', prompt: input('prompt').value, length: number('length'), decoding });
});
$('download').addEventListener('click', () => {
  setState('working');
  send({ type: 'export' });
});
input('upload').addEventListener('change', async () => {
  const file = input('upload').files?.[0];
  if (file === undefined) return;
  showError(undefined);
  setState('working');
  const bytes = await file.arrayBuffer();
  input('upload').value = '';
  send({ type: 'import', backend: $<HTMLSelectElement>('backend').value as BackendName, bytes }, [bytes]);
});

$('series-info').textContent =
  `${CO2.values.length} monthly means, ${CO2.dates[0]} to ${CO2.dates[CO2.dates.length - 1]} (ppm).`;
showTaskOptions();
setState('idle');
