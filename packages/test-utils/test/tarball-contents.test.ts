import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

interface Manifest {
  name: string;
  private?: boolean;
  types?: string;
  exports?: Record<string, string | { types?: string }>;
}

const publicPackages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: readManifest(join(root, 'packages', dir)) }))
  .filter((p): p is { dir: string; manifest: Manifest } => p.manifest !== undefined && p.manifest.private !== true);

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** The files `npm pack` puts in the tarball (no tarball is written). */
async function packedFiles(dir: string): Promise<string[]> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    env,
  });
  const [report] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return (report?.files ?? []).map((f) => f.path);
}

/** Every `types` path a consumer's TypeScript may look up: the top-level field and each export's. */
function typePaths(manifest: Manifest): string[] {
  const fromExports = Object.values(manifest.exports ?? {}).flatMap((entry) =>
    typeof entry === 'object' && entry.types !== undefined ? [entry.types] : [],
  );
  return [...new Set([manifest.types, ...fromExports].filter((p): p is string => p !== undefined))].map((p) =>
    p.replace(/^\.\//, ''),
  );
}

/**
 * What a user finds after `npm install`: each public package's tarball (as `npm pack`
 * lists it; needs the packages built) holds its README, the license and the type
 * declarations its `types` fields point to.
 */
describe('published tarballs', () => {
  it('should cover the ten public packages', () => {
    expect(publicPackages.length).toBeGreaterThanOrEqual(10);
  });

  it.each(publicPackages.map((p) => [p.manifest.name, p] as const))(
    '%s should hold README.md, LICENSE and every types file it names',
    async (_name, { dir, manifest }) => {
      const files = await packedFiles(dir);
      const types = typePaths(manifest);
      expect(types.length).toBeGreaterThan(0);
      const missing = ['README.md', 'LICENSE', ...types].filter((f) => !files.includes(f));
      expect(missing, `missing from ${manifest.name}'s tarball`).toEqual([]);
    },
    60_000,
  );
});
