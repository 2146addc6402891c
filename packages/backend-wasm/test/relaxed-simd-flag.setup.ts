import { setFlagsFromString } from 'node:v8';
import { RELAXED_SIMD_FLAG, v8ShipsRelaxedSimd } from './relaxed-simd-node.js';

// The backend-wasm-relaxed project's setup. vitest 3.2 starts its forks with the root
// config's `poolOptions.forks.execArgv` only, never a project's, so the flag Node 20
// needs is set here, before any kernel module is validated: V8 reads its WebAssembly
// feature flags at each validation and compilation.
if (!v8ShipsRelaxedSimd()) setFlagsFromString(RELAXED_SIMD_FLAG);
