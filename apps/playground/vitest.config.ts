import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: 'playground',
      include: ['test/**/*.test.ts'],
      // Builds the page, then trains in headless Chromium on four backends (two of them a
      // software GPU).
      testTimeout: 240_000,
      hookTimeout: 120_000,
    },
  }),
);
