import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
/** What the root README's sentiment example imports, and the wasm backend. */
const PACKED = ['core', 'backend-cpu', 'backend-wasm', 'cells', 'layers', 'train', 'datasets'];
const tarball = (pkg: string) => `recur-${pkg}-0.1.0.tgz`;
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });

/**
 * "Install individual packages": the published tarballs, installed by npm into an empty
 * folder outside the workspace next to tfjs-core, must work from plain Node ESM.
 * Needs the packages built (turbo's `build` runs before the tests) and the npm registry.
 */
describe('packed packages installed with npm outside the workspace', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'recur-pack-'));
    for (const pkg of PACKED) {
      run('pnpm', ['pack', '--pack-destination', dir], join(root, 'packages', pkg));
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should pack tarballs without tests or sources of tests', () => {
    const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    expect(tarballs.sort()).toEqual(PACKED.map(tarball).sort());
    for (const tgz of tarballs) {
      const listing = run('tar', ['-tzf', tgz], dir);
      expect(listing).toMatch(/package\/dist\/index\.js/);
      expect(listing).toMatch(/package\/dist\/index\.d\.ts/);
      expect(listing).not.toMatch(/\.test\.|\/test\//);
    }
  });

  it('should import and run from plain Node after npm install of the tarballs', () => {
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...PACKED.map((pkg) => `./${tarball(pkg)}`),
        '@tensorflow/tfjs-core@4.22.0',
      ],
      dir,
    );
    writeFileSync(
      join(dir, 'main.mjs'),
      `import * as tf from '@tensorflow/tfjs-core';
import { RecurError, Rng, glorotUniform, useBackend } from '@recur/core';
import { cpu } from '@recur/backend-cpu';
import { wasm } from '@recur/backend-wasm';
const out = {};
for (const plugin of [cpu, wasm]) {
  await useBackend(plugin);
  const w = glorotUniform()([3, 4], new Rng(1));
  const g = tf.grad((x) => tf.sum(tf.square(x)))(w);
  out[tf.getBackend()] = { shape: w.shape, gradOk: g.dataSync().every((v, i) => Math.abs(v - 2 * w.dataSync()[i]) < 1e-6) };
  tf.dispose([w, g]);
}
try { new Rng(0.5); } catch (e) { out.error = e instanceof RecurError ? e.code : String(e); }
console.log(JSON.stringify(out));
`,
    );
    const result = JSON.parse(run('node', ['main.mjs'], dir).trim().split('\n').pop() as string);
    expect(result).toEqual({
      cpu: { shape: [3, 4], gradOk: true },
      wasm: { shape: [3, 4], gradOk: true },
      error: 'BAD_CONFIG',
    });
  }, 240_000);

  it("should run the root README's sentiment example from the installed packages", () => {
    // Node 20 runs no TypeScript: the example is transpiled, imports untouched.
    for (const file of ['sentiment', 'reviews']) {
      const source = readFileSync(join(root, 'examples', `${file}.ts`), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(join(dir, `${file}.js`), outputText);
    }
    const printed = run('node', ['sentiment.js'], dir);
    const accuracy = Number(/accuracy: ([\d.]+)/.exec(printed)?.[1]);
    expect(accuracy).toBeGreaterThan(0.95);
    expect(printed).toMatch(/'the plot was not boring' is positive with probability 0\.[5-9]/);
  }, 120_000);
});
