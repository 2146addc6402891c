import { closestReferenceErrorRates } from '@recur/train';
import type { Entry } from '../data/pronunciations.js';
import { count, percent } from './format.js';
import type { EvalRequest, Evaluation } from './task.js';

/** Phoneme sequences for `words` decoded with beam width `beam` (1: greedy). */
export type Transcribe = (words: readonly string[], beam: number) => Promise<string[][]>;

/**
 * Scores a g2p model on the held-out words as CMUdict results are published: a word is
 * right if the output equals any of its listed pronunciations, and PER counts the edit
 * distance to the closest one (`closestReferenceErrorRates`). One row per beam width; the
 * widest beam's outputs are the predictions (`WORD<TAB>phonemes`, no header, the format of
 * a pronouncing dictionary) and the examples shown.
 */
export async function evaluateG2p(
  test: readonly Entry[],
  request: EvalRequest,
  transcribe: Transcribe,
  beamName: string,
): Promise<Evaluation> {
  const entries = request.limit > 0 ? test.slice(0, request.limit) : test;
  const words = entries.map((e) => e.word);
  const references = entries.map((e) => e.pronunciations);
  const widest = Math.max(...request.beams);
  const metrics: Record<string, number> = {};
  const lines: string[] = [];
  let predicted: string[][] = [];
  for (const beam of request.beams) {
    const hypotheses = await transcribe(words, beam);
    if (beam === widest) predicted = hypotheses;
    const rates = closestReferenceErrorRates(references, hypotheses);
    metrics[`per_beam${beam}`] = rates.tokenErrorRate;
    metrics[`wer_beam${beam}`] = rates.sequenceErrorRate;
    lines.push(
      `${beam > 1 ? `${beamName} ${beam}` : 'greedy'}: phoneme error rate ${percent(rates.tokenErrorRate)}, word error rate ${percent(rates.sequenceErrorRate)} (${count(entries.length)} test words, any listed pronunciation counts)`,
    );
  }
  lines.push(...words.slice(0, 3).map((w, i) => `  ${w} → ${(predicted[i] ?? []).join(' ')}`));
  return {
    metrics,
    lines,
    ...(request.predictions === true
      ? { predictions: { rows: words.map((w, i) => [w, (predicted[i] ?? []).join(' ')]) } }
      : {}),
  };
}
