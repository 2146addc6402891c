// Browser bundle size of a small Recur app against its tfjs-layers equivalent: each
// entry builds an embedding → LSTM → dense model on the wasm backend, bundled by esbuild
// for the browser (minified, tree-shaken, as an app would ship it) and gzipped.
// Run after `pnpm build`: node bench/scripts/bundle-size.mjs
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { build } = createRequire(join(root, 'packages/core/package.json'))('esbuild');
const nodePaths = ['core', 'cells', 'layers', 'backend-wasm'].map((p) => join(root, 'packages', p, 'node_modules'));
nodePaths.push(join(root, 'examples', 'node_modules'), join(root, 'node_modules'));

const entries = {
  'recur (core + cells + layers + backend-wasm)': `
    import { useBackend, Rng } from '@recur/core';
    import { lstm } from '@recur/cells';
    import { stacked, embedding, recurrent, dense } from '@recur/layers';
    import { wasm } from '@recur/backend-wasm';
    await useBackend(wasm);
    const net = stacked([embedding({ vocabSize: 100, dim: 8 }), recurrent(lstm({ inputSize: 8, units: 8 })), dense({ inputSize: 8, units: 2 })]);
    console.log(net.init(new Rng(1)));`,
  'tfjs-layers + tfjs-backend-wasm': `
    import * as tf from '@tensorflow/tfjs-core';
    import { sequential, layers } from '@tensorflow/tfjs-layers';
    import '@tensorflow/tfjs-backend-wasm';
    await tf.setBackend('wasm');
    const model = sequential({ layers: [layers.embedding({ inputDim: 100, outputDim: 8 }), layers.lstm({ units: 8 }), layers.dense({ units: 2 })] });
    console.log(model);`,
};

for (const [name, contents] of Object.entries(entries)) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    nodePaths,
    logLevel: 'error',
    external: ['fs', 'path', 'crypto', 'worker_threads', 'perf_hooks', 'os', 'util'],
  });
  const code = result.outputFiles[0].contents;
  console.log(
    `${name}: ${(code.length / 1024).toFixed(0)} kB minified, ${(gzipSync(code).length / 1024).toFixed(1)} kB gzip`,
  );
}
