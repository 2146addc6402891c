// Compiles Recur's AssemblyScript sequence kernels (asm/) to WebAssembly SIMD and embeds
// the binaries, base64, in a generated TypeScript module (src/generated/), so the kernels
// load in Node, browsers and workers with no file to serve and no bundler setting.
// Two memories: an ordinary one, and a shared one (tfjs' multi-threaded wasm build, in
// cross-origin-isolated pages); the import must match. Two instruction sets from one
// source: WebAssembly SIMD, and relaxed SIMD, where `Fma.madd` (asm/fma.ts) compiles to
// `f32x4.relaxed_madd`; src/kernels/module.ts picks the relaxed one where the engine
// validates it. Four modules in all.
// The exports' TypeScript signatures come from the compiler's own declarations
// (`--bindings raw`, which leaves the binary unchanged), so every call is typed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'asm', 'index.ts');

const common = [
  entry,
  '-O3',
  '--enable',
  'simd',
  '--importMemory',
  '--noExportMemory',
  '--runtime',
  'stub',
  '--noAssert',
  // v128 parameters of functions shared between asm/ files, never exported to JavaScript.
  '--disableWarning',
  '112',
];

async function compile(extra) {
  let binary;
  let declarations;
  const errors = [];
  const { error } = await asc.main([...common, ...extra, '--outFile', 'kernels.wasm'], {
    writeFile(name, contents) {
      if (name.endsWith('.wasm')) binary = contents;
      if (name.endsWith('.d.ts')) declarations = String(contents);
    },
    stdout: { write: (s) => process.stdout.write(s) },
    stderr: { write: (s) => errors.push(String(s)) },
  });
  if (error || binary === undefined) {
    throw new Error(`build-wasm: asc failed\n${errors.join('')}${error ?? ''}`);
  }
  // A data segment would be copied over tfjs' heap at instantiation: a build error.
  if (sections(binary).has(DATA)) throw new Error('build-wasm: the module has a data segment');
  return { binary, base64: Buffer.from(binary).toString('base64'), declarations };
}

/**
 * The module shares tfjs' heap: anything but the memory import is a build error. Read by
 * the engine running this script, which may not validate relaxed SIMD (Node 20 without
 * a flag): the relaxed modules are held to their plain twins by `expectTwins` instead.
 */
function expectOnlyMemoryImport({ binary }) {
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(binary));
  if (imports.length !== 1 || imports[0].kind !== 'memory') {
    throw new Error(`build-wasm: unexpected imports ${JSON.stringify(imports)}`);
  }
}

/**
 * A relaxed module must import and export byte for byte what its plain twin does (so one
 * TypeScript interface and one instantiation fit both) and differ in its code: identical
 * code would mean the relaxed instructions never made it in.
 */
function expectTwins(plain, relaxed, name) {
  const [p, r] = [sections(plain.binary), sections(relaxed.binary)];
  for (const [id, what] of [
    [IMPORT, 'imports'],
    [EXPORT, 'exports'],
  ]) {
    if (Buffer.compare(p.get(id) ?? Buffer.alloc(0), r.get(id) ?? Buffer.alloc(0)) !== 0) {
      throw new Error(`build-wasm: the relaxed ${name} module's ${what} differ from the plain one's`);
    }
  }
  if (Buffer.compare(p.get(CODE), r.get(CODE)) === 0) {
    throw new Error(`build-wasm: the relaxed ${name} module's code equals the plain one's (no relaxed_madd)`);
  }
}

/**
 * The members of asc's `declare namespace __AdaptedExports { export function …; }` as
 * interface methods. Pointers are `usize` (byte offsets in the heap), booleans 0/1 at
 * the WebAssembly boundary.
 */
function exportsInterface(declarations) {
  const match = /declare namespace __AdaptedExports \{\n([\s\S]*?)\n\}/.exec(declarations ?? '');
  if (match === null) throw new Error('build-wasm: asc --bindings produced no __AdaptedExports declarations');
  return match[1].replace(/^( *)export function /gm, '$1');
}

const [IMPORT, EXPORT, CODE, DATA] = [2, 7, 10, 11];

/** A wasm binary's known sections (custom ones, id 0, left out) by id, walking their headers. */
function sections(bytes) {
  const found = new Map();
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++];
    let size = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[p++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    if (id !== 0) found.set(id, Buffer.from(bytes.subarray(p, p + size)));
    p += size;
  }
  return found;
}

const SHARED = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'];
const RELAXED = ['--enable', 'relaxed-simd'];
const plain = await compile(['--bindings', 'raw']);
const shared = await compile(SHARED);
const relaxed = await compile(RELAXED);
const relaxedShared = await compile([...RELAXED, ...SHARED]);
expectOnlyMemoryImport(plain);
expectOnlyMemoryImport(shared);
expectTwins(plain, relaxed, 'ordinary-memory');
expectTwins(shared, relaxedShared, 'shared-memory');

// Typed `string`, not inferred: a literal type would copy each binary into the .d.ts.
const HEADER = '// Generated by scripts/build-wasm.mjs from asm/*.ts: do not edit.\n';

/**
 * Writes a generated file unless it already holds `text`. The same sources give the same
 * bytes (asc is deterministic), and an unchanged file keeps its time stamp, so tsc -b
 * does not recompile what depends on it.
 */
function writeGenerated(name, text) {
  const out = join(root, 'src', 'generated', name);
  mkdirSync(dirname(out), { recursive: true });
  const unchanged = existsSync(out) && readFileSync(out, 'utf8') === text;
  if (!unchanged) writeFileSync(out, text);
  console.log(`build-wasm: ${out} ${unchanged ? 'unchanged' : 'written'}`);
}

writeGenerated(
  'sequence-kernels-wasm.ts',
  `${HEADER}
/** The module's exports, as the AssemblyScript compiler declares them. */
export interface SequenceKernelsWasmExports {
${exportsInterface(plain.declarations)}
}

/** Recur's sequence kernels as a WebAssembly module importing an ordinary memory, base64. */
export const SEQUENCE_KERNELS_WASM: string =
  '${plain.base64}';

/** The same module importing a shared memory (tfjs' multi-threaded build), base64. */
export const SEQUENCE_KERNELS_WASM_SHARED: string =
  '${shared.base64}';
`,
);
// A file of its own, imported dynamically: a bundle fetches it only where it runs.
writeGenerated(
  'sequence-kernels-wasm-relaxed.ts',
  `${HEADER}
/** The kernels built with relaxed SIMD (fused multiply-add), importing an ordinary memory, base64. */
export const SEQUENCE_KERNELS_WASM_RELAXED: string =
  '${relaxed.base64}';

/** The relaxed-SIMD kernels importing a shared memory, base64. */
export const SEQUENCE_KERNELS_WASM_RELAXED_SHARED: string =
  '${relaxedShared.base64}';
`,
);
console.log(`build-wasm: 4 modules, ${Math.round(plain.binary.length / 1024)} KiB each`);
