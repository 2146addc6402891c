import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every module specifier a source file imports, statically or dynamically. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'([^']+)'/g)].map((m) => m[1] as string);
}

/** The source files reachable from an entry, following relative imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const specifiers = imports(file);
    seen.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith('.')) visit(resolve(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return seen;
}

describe('entry points', () => {
  useLeakChecks();

  describe('main entry', () => {
    it('should reach no Node built-in and no Node-only parser, so it stays browser-safe', () => {
      const graph = reachable(join(root, 'src', 'index.ts'));
      const bare = [...graph.values()].flat().filter((s) => !s.startsWith('.'));
      expect(
        bare.filter((s) => s.startsWith('node:') || ['fs', 'path', 'stream', 'readline', 'csv-parse'].includes(s)),
      ).toEqual([]);
      expect([...graph.keys()].some((f) => f.includes(`${join('src', 'node')}`))).toBe(false);
      expect(bare).toContain('csv-parse/browser/esm/sync');
    });
  });

  describe('./node subpath', () => {
    it('should be exported with types first and use the streaming csv-parse API', () => {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      expect(Object.keys(pkg.exports['./node'])).toEqual(['types', 'default']);
      expect(pkg.exports['./node'].default).toBe('./dist/node.js');
      const graph = reachable(join(root, 'src', 'node.ts'));
      expect([...graph.values()].flat()).toContain('csv-parse');
    });
  });
});
