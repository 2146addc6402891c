import { createRequire } from 'node:module';
import type { Workload } from './workloads.js';

const require = createRequire(import.meta.url);

/**
 * brain.js' recurrent LSTM on a W3-sized character task: vocabulary `classes`, hidden
 * `hidden`, one sequence of `time` steps per training pattern (brain.js has no batches).
 * Plain JavaScript, independent of the tfjs backend.
 */
export function brainModel(w: Workload) {
  const brain = require('brain.js');
  const net = new brain.recurrent.LSTM({
    inputSize: w.classes,
    inputRange: w.classes,
    hiddenLayers: [w.hidden],
    outputSize: w.classes,
  });
  net.initialize();
  const sequence = Array.from({ length: w.time + 1 }, (_, i) => (i * 7) % w.classes);
  return {
    train: () => net.trainPattern(sequence, false),
    forward: () => net.trainInput(sequence),
    dispose: () => {},
  };
}
