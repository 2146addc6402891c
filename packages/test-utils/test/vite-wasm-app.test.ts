import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test-browser/chromium.js';

const root = resolve(import.meta.dirname, '../../..');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });

/** The app: the wasm plug-in exactly as the README shows it, no wasm setting at all. */
const MAIN = `import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@recur/core';
import { wasm } from '@recur/backend-wasm';
try {
  await useBackend(wasm);
  const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
  // Gradients come registered by @recur/core (its browser form, from tfjs-core's own modules).
  const grad = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2]));
  document.title = JSON.stringify({ backend: tf.getBackend(), sum: Array.from(sum.dataSync()), grad: Array.from(grad.dataSync()), simd: wasm.capabilities().details.simd });
} catch (error) {
  document.title = JSON.stringify({ error: String(error) });
}
`;

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** A static server for the built app; a missing file is a 404, never index.html. */
function serve(dir: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(dir, path === '/' ? 'index.html' : path);
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/**
 * The wasm backend in a bundled browser app (issue: Vite served index.html for tfjs'
 * `.wasm` files): a minimal Vite app against the packed tarballs, installed with npm,
 * built, served, and run in headless Chromium, in production and under the dev server.
 * Needs the packages built, the npm registry (for tfjs-core and vite) and /usr/bin/chromium.
 */
describe('a Vite app using @recur/backend-wasm from the packed tarballs', () => {
  let dir = '';
  let browser: Browser | undefined;
  const servers: Server[] = [];
  let dev: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-vite-'));
    for (const pkg of ['core', 'backend-wasm'])
      run('pnpm', ['pack', '--pack-destination', dir], join(root, 'packages', pkg));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>loading</title><script type="module" src="/main.js"></script>\n',
    );
    writeFileSync(join(dir, 'main.js'), MAIN);
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        './recur-core-0.1.0.tgz',
        './recur-backend-wasm-0.1.0.tgz',
        '@tensorflow/tfjs-core@4.22.0',
        'vite@8',
      ],
      dir,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.close();
    dev?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(url: string) {
    const page = await (browser as Browser).newPage();
    const failed: string[] = [];
    const wasmTypes: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      if (r.url().endsWith('.wasm')) wasmTypes.push(r.headers()['content-type'] ?? '');
    });
    await page.goto(url);
    await page.waitForFunction(() => document.title.startsWith('{'), undefined, { timeout: 60_000 });
    const result = JSON.parse(await page.title());
    await page.close();
    return { result, failed, wasmTypes };
  }

  it('should run on wasm after vite build, fetching the .wasm files the build emitted', async () => {
    run(join(dir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], dir);
    const server = await serve(join(dir, 'dist'));
    servers.push(server);
    const { result, failed, wasmTypes } = await open(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(result).toEqual({ backend: 'wasm', sum: [4, 6], grad: [2, 4], simd: true });
    expect(failed).toEqual([]);
    expect(wasmTypes).toEqual(['application/wasm']);
  }, 120_000);

  it('should run on wasm under the Vite dev server', async () => {
    const port = 41_000 + Math.floor(Math.random() * 1000);
    dev = spawn(join(dir, 'node_modules/.bin/vite'), ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((ready, fail) => {
      dev?.stdout?.on('data', (chunk: Buffer) => {
        if (String(chunk).includes(String(port))) ready();
      });
      dev?.on('exit', (code) => fail(new Error(`vite dev exited with ${code}`)));
    });
    const { result, failed, wasmTypes } = await open(`http://127.0.0.1:${port}/`);
    expect(result).toEqual({ backend: 'wasm', sum: [4, 6], grad: [2, 4], simd: true });
    expect(failed).toEqual([]);
    expect(wasmTypes).toEqual(['application/wasm']);
  }, 120_000);
});
