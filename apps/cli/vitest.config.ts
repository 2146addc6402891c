import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// The shared aliases map each @recur package to its source; map the node subpath of
// datasets too, so tests load one copy of each module whichever entry they import.
const datasetsNode = fileURLToPath(new URL('../../packages/datasets/src/node.ts', import.meta.url));

export default mergeConfig(
  shared,
  defineProject({
    resolve: { alias: [{ find: /^@recur\/datasets\/node$/, replacement: datasetsNode }] },
    test: { name: 'cli', include: ['test/**/*.test.ts'] },
  }),
);
