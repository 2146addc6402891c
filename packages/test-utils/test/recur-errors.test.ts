import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Recur throws one error class, `RecurError`, so callers can branch on `error.code`
 * (DESIGN: "Errors and memory"). A plain `Error`, a `TypeError` or a thrown string
 * reaching a user has no code. This scans every library and app source for them;
 * nothing is allow-listed.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

const PLAIN_ERROR_CLASSES = 'Error|TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError|AggregateError';
const PLAIN_THROWS: readonly RegExp[] = [
  // `new Error(…)`, `new TypeError(…)`, … anywhere: thrown, rejected or kept as a cause.
  new RegExp(`\\bnew\\s+(?:${PLAIN_ERROR_CLASSES})\\s*\\(`),
  // `throw Error(…)` without `new`.
  new RegExp(`\\bthrow\\s+(?:${PLAIN_ERROR_CLASSES})\\s*\\(`),
  // A thrown string, template or object literal.
  /\bthrow\s+['"`{]/,
];

/** The lines of `source` that make or throw something other than a `RecurError`. */
function plainThrows(source: string): number[] {
  const lines = source.split('\n');
  // Comment lines may well say "throw `RecurError`".
  const code = (line: string) => !/^\s*(\/\/|\/\*|\*)/.test(line);
  return lines.flatMap((line, i) => (code(line) && PLAIN_THROWS.some((p) => p.test(line)) ? [i + 1] : []));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'generated' ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) && !/\.test\.|\.d\.ts$/.test(entry.name) ? [path] : [];
  });
}

function sourceDirs(): string[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(root, group, entry.name, 'src'))
      .filter((dir) => {
        try {
          return readdirSync(dir).length > 0;
        } catch {
          return false;
        }
      }),
  );
}

describe('RecurError everywhere', () => {
  describe('plainThrows', () => {
    it('should find plain errors, thrown strings and error-class calls without new', () => {
      const source = [
        "throw new Error('x');",
        "throw new TypeError('x');",
        "return Promise.reject(new RangeError('x'));",
        "throw Error('x');",
        "throw 'x';",
        'throw `x`;',
        "throw new RecurError('BAD_DATA', 'x');",
        "throw badArgument('BAD_CONFIG', 'x', 'y', z);",
        'if (error instanceof Error) return;',
        ' * bad ones throw `RecurError` naming the argument',
        '// never throw new Error here',
      ].join('\n');
      expect(plainThrows(source)).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });

  it('should scan the sources of every package and app', () => {
    const dirs = sourceDirs().map((dir) => relative(root, dir));
    expect(dirs).toEqual(expect.arrayContaining(['packages/core/src', 'packages/layers/src', 'apps/cli/src']));
    expect(dirs.flatMap((dir) => sourceFiles(join(root, dir))).length).toBeGreaterThan(100);
  });

  it('should throw only RecurError in packages/*/src and apps/*/src', () => {
    const found = sourceDirs()
      .flatMap(sourceFiles)
      .flatMap((file) => plainThrows(readFileSync(file, 'utf8')).map((line) => `${relative(root, file)}:${line}`));
    expect(found, 'plain errors (throw a RecurError with a stable code instead)').toEqual([]);
  });
});
