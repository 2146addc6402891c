/**
 * The 12-tag universal part-of-speech tagset (Petrov, Das & McDonald 2012, "A universal
 * part-of-speech tagset", LREC) and its mapping from the Brown corpus tags, as published
 * with the paper in `en-brown.map` (github.com/slavpetrov/universal-pos-tags, CC BY-SA 4.0).
 *
 * The published file lists all 472 tags of the tagged Brown corpus. Here it is folded to
 * its base tags by two rules the file follows throughout: the title, headline and
 * cited-word suffixes `-TL`, `-HL` and `-NC` never change the universal tag, and every
 * foreign-word tag `FW-…` is `X`. A test checks that the fold covers every tag of the corpus.
 */
import { badArgument } from '@recur/core';

/** The 12 universal part-of-speech tags of Petrov, Das & McDonald (2012). */
export const UNIVERSAL_TAGS = [
  'VERB',
  'NOUN',
  'PRON',
  'ADJ',
  'ADV',
  'ADP',
  'CONJ',
  'DET',
  'NUM',
  'PRT',
  'X',
  '.',
] as const;
/** One of the 12 universal part-of-speech tags. */
export type UniversalTag = (typeof UNIVERSAL_TAGS)[number];

/** Brown base tags by universal tag, as in `en-brown.map`. */
const BROWN_BASE: Readonly<Record<UniversalTag, string>> = {
  VERB:
    'BE BED BED* BEDZ BEDZ* BEG BEM BEM* BEN BER BER* BEZ BEZ* DO DO* DOD DOD* DOZ DOZ* HV HV* HV+TO HVD HVD* ' +
    'HVG HVN HVZ HVZ* MD MD* MD+HV MD+PPSS MD+TO VB VB+AT VB+IN VB+JJ VB+PPO VB+RP VB+TO VB+VB VBD VBG VBG+TO ' +
    'VBN VBN+TO VBZ',
  NOUN: 'CD$ NN NN$ NN+IN NN+NN NNS NNS$ NP NP$ NPS NPS$ NR NR$ NRS PN PN$',
  PRON: 'PP$$ PPL PPLS PPO PPS PPSS WPO WPS',
  ADJ: 'AP AP+AP JJ JJ+JJ JJR JJR+CS JJS JJT OD',
  ADV: '* QL QLP RB RB+CS RBR RBR+CS RBT RN WQL WRB',
  ADP: 'CS IN IN+IN IN+PPO',
  CONJ: 'CC',
  DET: 'ABX AT DT DT$ DTI DTS DTX PP$ WDT WP$',
  NUM: 'CD',
  PRT:
    'ABL ABN AP$ DT+BEZ DT+MD DTS+BEZ EX EX+BEZ EX+HVD EX+HVZ EX+MD JJ$ NN+BEZ NN+HVD NN+HVZ NN+MD NNS+MD ' +
    'NP+BEZ NP+HVZ NP+MD NR+MD PN+BEZ PN+HVD PN+HVZ PN+MD PPS+BEZ PPS+HVD PPS+HVZ PPS+MD PPSS+BEM PPSS+BER ' +
    'PPSS+BER-N PPSS+BEZ PPSS+BEZ* PPSS+HV PPSS+HVD PPSS+MD PPSS+VB RB$ RB+BEZ RP RP+IN TO TO+VB UH WDT+BER ' +
    'WDT+BEZ WDT+DOD WDT+HVZ WPS+BEZ WPS+HVD WPS+HVZ WPS+MD WRB+BER WRB+BEZ WRB+DO WRB+DOD WRB+DOD* WRB+DOZ ' +
    'WRB+IN WRB+MD',
  X: 'DO+PPSS NIL WDT+BER+PP WDT+DO+PPS',
  '.': "' '' ( ) , -- . : ``",
};

const UNIVERSAL_OF = new Map<string, UniversalTag>(
  UNIVERSAL_TAGS.flatMap((u) => BROWN_BASE[u].split(' ').map((brown) => [brown, u] as const)),
);

/**
 * The universal tag of a Brown tag (either case, e.g. `'np-tl'` → `'NOUN'`); throws
 * `RecurError('BAD_DATA')` for a tag `en-brown.map` does not cover.
 */
export function universalTag(brownTag: string): UniversalTag {
  const upper = typeof brownTag === 'string' ? brownTag.toUpperCase() : '';
  if (upper.startsWith('FW-')) return 'X';
  const base = upper.replace(/(?:-(?:HL|TL|NC))+$/, '');
  const tag = UNIVERSAL_OF.get(base);
  if (tag === undefined) throw badArgument('BAD_DATA', 'brownTag', 'a tag of the Brown corpus', brownTag);
  return tag;
}
