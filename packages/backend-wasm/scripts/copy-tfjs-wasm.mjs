// Copies tfjs-backend-wasm's binaries into dist/tfjs/, beside dist/index.js, which
// names them as `new URL('./tfjs/<file>', import.meta.url)`: the form Vite, webpack 5,
// Rollup and Parcel turn into emitted assets, so a bundled app serves them with no
// setting. The JavaScript glue that loads them must be the same tfjs release, which is
// why the dependency is pinned to one version and checked here.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const tfjsDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const installed = JSON.parse(readFileSync(join(tfjsDir, 'package.json'), 'utf8')).version;
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies[
  '@tensorflow/tfjs-backend-wasm'
];
if (installed !== pinned) {
  throw new Error(`copy-tfjs-wasm: installed @tensorflow/tfjs-backend-wasm ${installed}, package.json pins ${pinned}`);
}
const out = join(root, 'dist', 'tfjs');
mkdirSync(out, { recursive: true });
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(tfjsDir, 'dist', file), join(out, file));
}
