import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../vitest.shared.js';

// Only the benchmark's machinery is tested (parsing, notes, formatting); timings never are.
export default mergeConfig(shared, defineProject({ test: { name: 'bench', include: ['test/**/*.test.ts'] } }));
