import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The examples in these packages' READMEs are complete programs: each ```ts block must
 * type-check against the current sources, so a rename cannot leave a README behind.
 * (Other READMEs also show fragments, such as an interface outline, which are not
 * programs.)
 */
const PACKAGES_WITH_COMPLETE_EXAMPLES = ['core', 'cells', 'train', 'backend-cpu', 'backend-wasm'];

const root = fileURLToPath(new URL('../../..', import.meta.url));

function examples(pkg: string): { name: string; code: string }[] {
  const readme = readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match, i) => ({
    name: `${pkg}-readme-${i}.ts`,
    // Each block is a module of its own (top-level await, no shared names).
    code: `${match[1]}\nexport {};\n`,
  }));
}

/** Type errors of `files` (virtual modules under packages/test-utils), compiled as the packages are. */
function typeErrors(files: ReadonlyMap<string, string>): string[] {
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(
    {
      ...base.config,
      compilerOptions: {
        ...base.config.compilerOptions,
        noEmit: true,
        composite: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        types: ['node'],
        baseUrl: '.',
        paths: {
          '@recur/train/node': ['packages/train/src/node.ts'],
          '@recur/core/kernel-api': ['packages/core/src/kernel-api.ts'],
          '@recur/*': ['packages/*/src/index.ts'],
        },
      },
    },
    ts.sys,
    root,
  );
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = files.get(fileName);
    return text === undefined
      ? getSourceFile(fileName, languageVersion, ...rest)
      : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  host.fileExists = (fileName) => files.has(fileName) || ts.sys.fileExists(fileName);
  host.readFile = (fileName) => files.get(fileName) ?? ts.sys.readFile(fileName);
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file === undefined
        ? ''
        : `${d.file.fileName.slice(root.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('README examples', () => {
  // One program for every example and a planted broken one: compiling takes seconds.
  const dir = join(root, 'packages', 'test-utils', 'readme-examples');
  const broken = join(dir, 'broken.ts');
  let errors: string[] = [];
  beforeAll(() => {
    const files = new Map(
      PACKAGES_WITH_COMPLETE_EXAMPLES.flatMap(examples).map(({ name, code }) => [join(dir, name), code]),
    );
    files.set(broken, "import { Rng } from '@recur/core';\nnew Rng('seed');\nexport {};\n");
    errors = typeErrors(files);
  });

  it('should find at least one example in every listed README', () => {
    for (const pkg of PACKAGES_WITH_COMPLETE_EXAMPLES) expect(examples(pkg).length, pkg).toBeGreaterThan(0);
  });

  it('should report a type error in an example (the check can fail)', () => {
    expect(errors.filter((e) => e.includes('broken.ts')).join('\n')).toMatch(
      /broken\.ts:2: Argument of type 'string' is not assignable/,
    );
  });

  it('should type-check every example against the current sources', () => {
    expect(errors.filter((e) => !e.includes('broken.ts'))).toEqual([]);
  });
});
