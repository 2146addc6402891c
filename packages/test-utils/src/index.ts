export { backendMatrix, describeBackends } from './backends.js';
export { checkLeaks, expectNoLeak } from './leaks.js';
export { closeness, expectClose, type Tolerance } from './tolerance.js';
