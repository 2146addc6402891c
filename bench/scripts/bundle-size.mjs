// Browser bundle size of a small Recur app against its tfjs-layers equivalent: each
// entry builds an embedding → LSTM → dense model on the wasm backend, bundled by esbuild
// for the browser (minified, tree-shaken, as an app would ship it) and gzipped.
// Run after `pnpm build`: node bench/scripts/bundle-size.mjs
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
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
    // As Vite, Rollup and webpack do: a dynamic import becomes a chunk of its own, fetched
    // when it runs (backend-wasm's relaxed-SIMD kernels, on engines that validate them).
    splitting: true,
    outdir: 'out',
    write: false,
    nodePaths,
    logLevel: 'error',
    external: ['fs', 'path', 'crypto', 'worker_threads', 'perf_hooks', 'os', 'util'],
  });
  const size = (code) =>
    `${(code.length / 1024).toFixed(0)} kB minified, ${(gzipSync(code).length / 1024).toFixed(1)} kB gzip`;
  // The entry (esbuild names a stdin entry `stdin.js`) with the chunks it imports
  // statically is what a page loads; the rest waits for an `import()`.
  const files = result.outputFiles.filter((f) => f.path.endsWith('.js'));
  const entry = files.find((f) => basename(f.path) === 'stdin.js');
  const chunks = files.filter((f) => f !== entry);
  const lazy = chunks.filter((f) => !entry.text.includes(`from"./${basename(f.path)}"`));
  console.log(`${name}: ${size(concat([entry, ...chunks.filter((f) => !lazy.includes(f))]))}`);
  if (lazy.length > 0) console.log(`  loaded on demand: ${size(concat(lazy))}`);
}

function concat(files) {
  return Buffer.concat(files.map((f) => f.contents));
}
