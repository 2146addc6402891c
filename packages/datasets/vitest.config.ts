import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// The shared aliases map `@recur/datasets` to its source; map the `./node` subpath too, so
// tests load one copy of each module whichever entry they import.
const nodeEntry = fileURLToPath(new URL('./src/node.ts', import.meta.url));

export default mergeConfig(
  shared,
  defineProject({
    resolve: { alias: [{ find: /^@recur\/datasets\/node$/, replacement: nodeEntry }] },
    test: { name: 'datasets', include: ['test/**/*.test.ts'] },
  }),
);
