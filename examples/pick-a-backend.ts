// The root README's "Pick a backend": activate a backend by name, or fail with the reason.
import { wasm } from '@recur/backend-wasm';
import { glorotUniform, Rng, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

await useBackend(wasm); // throws RecurError('BACKEND_UNAVAILABLE') with the reason; never falls back silently
console.log(tf.getBackend()); // 'wasm'

const kernel = glorotUniform()([64, 256], new Rng(42)); // same seed, same weights
kernel.dispose();
