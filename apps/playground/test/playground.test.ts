/**
 * End to end: the page is built with Vite, served on 127.0.0.1 and driven in headless
 * Chromium (Debian's, with SwiftShader as its GPU). Screenshots go to test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../packages/test-browser/chromium.js';
import { serve } from './serve.js';

const app = fileURLToPath(new URL('..', import.meta.url));
const artifacts = join(app, 'test-results');

let outDir = '';
let server: Awaited<ReturnType<typeof serve>> | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'recur-playground-'));
  await build({ root: app, configFile: join(app, 'vite.config.ts'), logLevel: 'error', build: { outDir } });
  server = await serve(outDir);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  mkdirSync(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

interface Settings {
  readonly backend: string;
  readonly task?: 'text' | 'forecast';
  /** The picker's value; the page's default (LSTM) when absent. */
  readonly cell?: string;
  readonly units: number;
  readonly batch: number;
  readonly steps: number;
  readonly lr: number;
  readonly seqLength?: number;
  readonly lookBack?: number;
}

/** A fresh page; errors thrown in the page or its worker fail the test that reads them. */
async function openPage(): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await (browser as Browser).newPage({ viewport: { width: 1360, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto((server as { url: string }).url);
  await page.waitForSelector('body[data-state=idle]');
  return { page, pageErrors };
}

const idle = (page: Page) =>
  page.waitForFunction(() => document.body.dataset.state !== 'working', null, { timeout: 200_000 });
const errorText = (page: Page) => page.$eval('#error', (e) => ((e as HTMLElement).hidden ? '' : (e.textContent ?? '')));

async function train(page: Page, s: Settings): Promise<{ first: number; last: number; steps: number }> {
  await page.selectOption('#backend', s.backend);
  await page.selectOption('#task', s.task ?? 'text');
  if (s.cell !== undefined) await page.selectOption('#cell', s.cell);
  for (const [id, value] of [
    ['#units', s.units],
    ['#batch', s.batch],
    ['#steps', s.steps],
    ['#lr', s.lr],
    ['#seq-length', s.seqLength],
    ['#look-back', s.lookBack],
  ] as const) {
    if (value !== undefined) await page.fill(id, String(value));
  }
  await page.click('#train');
  await idle(page);
  expect(await errorText(page)).toBe('');
  const data = await page.$eval('#loss-summary', (e) => ({ ...(e as HTMLElement).dataset }));
  return { first: Number(data.firstLoss), last: Number(data.lastLoss), steps: Number(data.steps) };
}

async function generate(page: Page): Promise<string> {
  await page.fill('#prompt', 'The ');
  await page.fill('#length', '60');
  await page.click('#generate');
  await idle(page);
  expect(await errorText(page)).toBe('');
  return page.$eval('#sample', (e) => e.textContent ?? '');
}

const TEXT = { units: 32, batch: 8, steps: 15, lr: 0.03, seqLength: 24 };

describe('playground', () => {
  describe.each(['cpu', 'wasm', 'webgl', 'webgpu'])('on %s', (backend) => {
    it('should train a character model in a worker with a falling loss, then sample text', async () => {
      const { page, pageErrors } = await openPage();
      const training = train(page, { backend, ...TEXT });
      // The page answers while the worker trains: a frame comes within a second.
      await page.waitForFunction(() => document.body.dataset.state === 'working');
      const frame = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const t0 = performance.now();
            requestAnimationFrame(() => resolve(performance.now() - t0));
          }),
      );
      expect(frame).toBeLessThan(1000);
      const { first, last, steps } = await training;
      expect(await page.getAttribute('body', 'data-backend')).toBe(backend);
      expect(await page.textContent('#status')).toContain(`Done on ${backend}`);
      const icon = await page.evaluate(async () => {
        const response = await fetch((document.querySelector('link[rel=icon]') as HTMLLinkElement).href);
        return response.ok ? response.headers.get('content-type') : `HTTP ${response.status}`;
      });
      expect(icon).toContain('svg');
      expect(steps).toBe(TEXT.steps);
      expect(last).toBeLessThan(first);
      const text = await generate(page);
      expect(text.startsWith('The ')).toBe(true);
      expect(text.length).toBeGreaterThan('The '.length + 20);
      await page.screenshot({ path: join(artifacts, `playground-${backend}.png`), fullPage: true });
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  });

  describe('with bad input', () => {
    it('should show why, keep the previous model, and round-trip a downloaded model (then beam search)', async () => {
      const { page, pageErrors } = await openPage();
      await train(page, { backend: 'cpu', ...TEXT, steps: 3 });

      await page.check('input[name=source][value=pasted]');
      await page.fill('#pasted', '');
      await page.click('#train');
      await idle(page);
      expect(await errorText(page)).toContain('received an empty text');
      expect((await generate(page)).length).toBeGreaterThan(20);

      await page.fill('#pasted', 'Too short.');
      await page.click('#train');
      await idle(page);
      expect(await errorText(page)).toMatch(/expected at least 33 characters for sequences of 24 .* received 10/);

      await page.setInputFiles('#upload', {
        name: 'notes.recur',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('this is not a model'),
      });
      await idle(page);
      expect(await errorText(page)).toContain('not a Recur checkpoint');
      await page.screenshot({ path: join(artifacts, 'playground-bad-file.png'), fullPage: true });
      expect(await page.getAttribute('#loss-summary', 'data-steps')).toBe('3');
      expect((await generate(page)).length).toBeGreaterThan(20);

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      const saved = join(outDir, download.suggestedFilename());
      await download.saveAs(saved);
      expect(download.suggestedFilename()).toBe('recur-text-model.recur');
      await page.setInputFiles('#upload', saved);
      await idle(page);
      expect(await errorText(page)).toBe('');
      expect(await page.textContent('#model-info')).toMatch(
        /Loaded a character model \(lstm\): [\d,]+ parameters, 3 steps/,
      );
      expect((await generate(page)).length).toBeGreaterThan(20);
      await page.selectOption('#decoding', 'beam');
      await page.fill('#beam-width', '3');
      const beam = await generate(page);
      expect(beam.startsWith('The ')).toBe(true);
      expect(beam.length).toBeGreaterThan('The '.length);
      await page.screenshot({ path: join(artifacts, 'playground-bad-input.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  });

  describe('in a browser without a GPU', () => {
    it('should say the GPU backend is not available and keep working on another', async () => {
      // --disable-gpu: no GPU process, so WebGPU finds no adapter.
      const args = [...CHROMIUM_ARGS.filter((a) => !a.includes('webgpu') && !a.includes('vulkan')), '--disable-gpu'];
      const plain = await chromium.launch({ executablePath: CHROMIUM_PATH, args });
      try {
        const page = await plain.newPage({ viewport: { width: 1360, height: 1000 } });
        await page.goto((server as { url: string }).url);
        await page.waitForSelector('body[data-state=idle]');
        await page.selectOption('#backend', 'webgpu');
        await page.click('#train');
        await idle(page);
        expect(await errorText(page)).toMatch(/The webgpu backend is not available in this browser\. .*webgpu/);
        expect(await page.getAttribute('body', 'data-last-error')).toBe('BACKEND_UNAVAILABLE');
        await page.screenshot({ path: join(artifacts, 'playground-no-gpu.png'), fullPage: true });
        const { first, last } = await train(page, { backend: 'cpu', ...TEXT, steps: 5 });
        expect(last).toBeLessThan(first);
      } finally {
        await plain.close();
      }
    });
  });

  describe('with the cell picker', () => {
    it.each(['mingru', 'minlstm', 'slstm', 'mlstm', 'rwkv'])(
      'should train a %s character model with a falling loss, sample text, and round-trip its file',
      async (cell) => {
        const { page, pageErrors } = await openPage();
        const { first, last } = await train(page, { backend: 'wasm', cell, ...TEXT, steps: 10 });
        expect(last).toBeLessThan(first);
        expect(await page.textContent('#model-info')).toContain(`Character model (${cell}):`);
        expect((await generate(page)).startsWith('The ')).toBe(true);
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
        const saved = join(outDir, `${cell}.recur`);
        await download.saveAs(saved);
        await page.selectOption('#cell', 'lstm');
        await page.setInputFiles('#upload', saved);
        await idle(page);
        expect(await errorText(page)).toBe('');
        expect(await page.textContent('#model-info')).toMatch(
          new RegExp(`Loaded a character model \\(${cell}\\): .* 10 steps`),
        );
        expect(await page.$eval('#cell', (e) => (e as HTMLSelectElement).value)).toBe(cell);
        expect(pageErrors).toEqual([]);
        await page.close();
      },
    );

    it('should offer the TDNN for the forecaster only, and learn the series with it', async () => {
      const { page, pageErrors } = await openPage();
      const tdnnOffered = () => page.$eval('#cell option[value=tdnn]', (o) => !(o as HTMLOptionElement).disabled);
      expect(await tdnnOffered()).toBe(false);
      await page.selectOption('#task', 'forecast');
      expect(await tdnnOffered()).toBe(true);
      const { first, last } = await train(page, {
        backend: 'wasm',
        task: 'forecast',
        cell: 'tdnn',
        units: 16,
        batch: 16,
        steps: 60,
        lr: 0.02,
        lookBack: 12,
      });
      expect(last).toBeLessThan(first);
      expect(await page.textContent('#model-info')).toContain('CO₂ forecaster (tdnn):');
      // Better than repeating the last measured month (1.28 ppm), as the LSTM must be below.
      expect(Number(await page.getAttribute('#forecast-error', 'data-mae'))).toBeLessThan(1.2);
      await page.screenshot({ path: join(artifacts, 'playground-tdnn-forecast.png'), fullPage: true });
      await page.selectOption('#task', 'text');
      expect(await page.$eval('#cell', (e) => (e as HTMLSelectElement).value)).toBe('lstm');
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  });

  describe('forecasting CO₂', () => {
    it('should learn the series and forecast the held-out months better than repeating the last one', async () => {
      const { page, pageErrors } = await openPage();
      const { first, last } = await train(page, {
        backend: 'wasm',
        task: 'forecast',
        units: 16,
        batch: 16,
        steps: 60,
        lr: 0.02,
        lookBack: 12,
      });
      expect(last).toBeLessThan(first);
      const mae = Number(await page.getAttribute('#forecast-error', 'data-mae'));
      // The held-out months lie 18–37 ppm above the training mean (its error would be 27.7
      // ppm); repeating the last measured month is off by 1.28 ppm on average.
      expect(mae).toBeLessThan(1.2);
      await page.screenshot({ path: join(artifacts, 'playground-forecast.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  });
});
