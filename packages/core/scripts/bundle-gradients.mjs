// tfjs-core's Node entry registers no gradients, and its ESM files use extension-less
// imports that Node cannot load. This bundles tfjs-core's own gradient list into one
// self-contained ES module that registers each gradient only if none is registered yet
// (so loading the full @tensorflow/tfjs beside Recur prints no "overriding" warnings).
// The bundled copies of tfjs internals share tfjs's global engine and registries.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tfDist = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist');
const source = readFileSync(join(tfDist, 'register_all_gradients.js'), 'utf8');
const loop = /for \(const gradientConfig of gradConfigs\) \{\s*registerGradient\(gradientConfig\);\s*\}/;
if (!loop.test(source)) throw new Error('bundle-gradients: register_all_gradients.js changed shape; update the script');
const entry = `import { getGradient } from './kernel_registry';\n${source.replace(
  loop,
  'for (const gradientConfig of gradConfigs) { if (getGradient(gradientConfig.kernelName) == null) registerGradient(gradientConfig); }',
)}`;

const outFile = join(here, '..', 'src', 'generated', 'gradients.js');
mkdirSync(dirname(outFile), { recursive: true });
await build({
  stdin: { contents: entry, resolveDir: tfDist, sourcefile: 'register_missing_gradients.js' },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2020',
  minify: true,
  legalComments: 'eof',
  outfile: outFile,
  logLevel: 'warning',
});
// The same file ships in dist/ next to the compiled register-gradients.js.
mkdirSync(join(here, '..', 'dist', 'generated'), { recursive: true });
writeFileSync(join(here, '..', 'dist', 'generated', 'gradients.js'), readFileSync(outFile));
