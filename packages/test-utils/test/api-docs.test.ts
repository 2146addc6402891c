import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/**
 * Exports that had no doc comment when this check came (2026-12). The list may only
 * shrink: a new export without a doc comment fails, and so does an entry here once its
 * export is documented (delete the entry then).
 */
const UNDOCUMENTED: readonly string[] = JSON.parse(
  readFileSync(join(import.meta.dirname, 'undocumented-exports.json'), 'utf8'),
);

function publicEntryPoints(): string[] {
  return readdirSync(join(root, 'packages'))
    .filter((dir) => {
      try {
        return JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')).private !== true;
      } catch {
        return false;
      }
    })
    .map((dir) => join(root, 'packages', dir, 'src', 'index.ts'));
}

/** `package:name` of every export of every public package's index that has no doc comment. */
function undocumentedExports(): { all: number; undocumented: string[] } {
  const entries = publicEntryPoints();
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const undocumented: string[] = [];
  let all = 0;
  for (const entry of entries) {
    const source = program.getSourceFile(entry);
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`cannot read ${entry}`);
    const pkg = entry.split(/[\\/]/).at(-3);
    for (const exported of checker.getExportsOfModule(module)) {
      all++;
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const documented =
        target.getDocumentationComment(checker).length > 0 ||
        (target.getDeclarations() ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
      if (!documented) undocumented.push(`${pkg}:${exported.name}`);
    }
  }
  return { all, undocumented: undocumented.sort() };
}

describe('API reference', () => {
  const { all, undocumented } = undocumentedExports();

  it('should read the exports of every public package', () => {
    expect(publicEntryPoints().length).toBeGreaterThanOrEqual(10);
    expect(all).toBeGreaterThan(300);
  });

  it('should have a doc comment on every public export not listed as known debt', () => {
    expect(undocumented.filter((name) => !UNDOCUMENTED.includes(name))).toEqual([]);
  });

  it('should list as debt only exports that still lack a doc comment', () => {
    expect(UNDOCUMENTED.filter((name) => !undocumented.includes(name))).toEqual([]);
  });
});
