import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { badArgument } from '@recur/core';
import { dataError } from '../internal/check.js';
import { decodeStrict } from '../internal/strict-text.js';
import { Tokenizer } from '../tokenizer.js';

/**
 * Writes the tokenizer's JSON to a temporary name beside `path` and renames it over
 * `path`, so a crash never leaves a half-written vocabulary behind.
 */
export async function saveTokenizer(path: string, tokenizer: Tokenizer): Promise<void> {
  if (typeof path !== 'string' || path === '') throw badArgument('BAD_CONFIG', 'path', 'a file path', path);
  if (!(tokenizer instanceof Tokenizer)) throw badArgument('BAD_CONFIG', 'tokenizer', 'a Tokenizer', tokenizer);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(tokenizer.toJSON())}\n`, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw dataError(path, `cannot write tokenizer: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** Reads and checks a tokenizer file: errors name the file and the field at fault. */
export async function loadTokenizer(path: string): Promise<Tokenizer> {
  if (typeof path !== 'string' || path === '') throw badArgument('BAD_CONFIG', 'path', 'a file path', path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw dataError(path, `cannot read tokenizer: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const text = decodeStrict(bytes, 'utf-8', path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw dataError(path, `expected tokenizer JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  return Tokenizer.fromJSON(json, path);
}
