import { readdirSync, readFileSync } from 'node:fs';
import { cpu } from '@recur/backend-cpu';
import { type RecurError, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

const root = new URL('../', import.meta.url);
/** Modules the examples import rather than scripts to run. */
const HELPERS = ['reviews.ts'];
const RUN_HERE = ['sentiment.ts', 'pick-a-backend.ts', 'gpu-backend.ts'];

/** Runs an example file as a script would, returning what it printed. */
async function run(file: string): Promise<unknown[][]> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ new URL(file, root).href);
    return log.mock.calls;
  } finally {
    log.mockRestore();
  }
}

/** A file's code without its leading comment lines: what the README shows. */
function body(file: string): string {
  const lines = readFileSync(new URL(file, root), 'utf8').split('\n');
  while (lines[0]?.startsWith('//')) lines.shift();
  return lines.join('\n').trim();
}

describe('examples', () => {
  afterEach(() => vi.resetModules());

  it('should run every example script in this file', () => {
    const scripts = readdirSync(root).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.config.ts') && !HELPERS.includes(f),
    );
    expect(scripts.sort()).toEqual([...RUN_HERE].sort());
  });

  it("should show each of the root README's TypeScript examples as the code of an example file", () => {
    const readme = readFileSync(new URL('../README.md', root), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => (m[1] as string).trim());
    const files = RUN_HERE.map(body);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(files).toContain(block);
  });

  it('sentiment.ts should train a classifier that reads negation, leaving no tensor behind', async () => {
    await useBackend(cpu);
    const before = tf.memory().numTensors;
    const printed = await run('sentiment.ts');
    const metrics = printed[0]?.[1] as { loss: number; accuracy: number };
    expect(printed[0]?.[0]).toBe('test:');
    expect(metrics.accuracy).toBeGreaterThan(0.95);
    const probability = Number(/probability (\S+)/.exec(String(printed[1]?.[0]))?.[1]);
    expect(probability).toBeGreaterThan(0.5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('pick-a-backend.ts should activate wasm and say so', async () => {
    const printed = await run('pick-a-backend.ts');
    expect(printed).toEqual([['wasm']]);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('gpu-backend.ts should activate webgpu, or refuse with BACKEND_UNAVAILABLE and the reason', async () => {
    await useBackend(cpu);
    try {
      await run('gpu-backend.ts');
      expect(tf.getBackend()).toBe('webgpu');
    } catch (error) {
      // The example loaded its own copy of @recur/core (modules are reset between examples).
      expect((error as Error).name).toBe('RecurError');
      expect((error as RecurError).code).toBe('BACKEND_UNAVAILABLE');
      expect((error as RecurError).message.length).toBeGreaterThan(30);
      expect(tf.getBackend()).toBe('cpu');
    }
  });
});
