import { type BackendRequest, startBackend } from '../backend.js';
import { EXIT } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { type Io, println } from '../io.js';
import { readModelFile } from '../model/model-file.js';
import type { TrainSettings } from '../settings.js';
import { checkPredictionsPath, writePredictions } from './predictions-file.js';
import { openModel } from './session.js';
import { evalBeams } from './train.js';

export interface EvalCommandRequest extends BackendRequest {
  readonly path: string;
  /** Beam widths (g2p); undefined: greedy and the model's `--beam` (default 5). */
  readonly beams?: readonly number[];
  readonly limit: number;
  /** The data file (absolute), for a model trained on a file: the model file names none. */
  readonly file?: string;
  /** Where to write the model's output for each held-out example (absolute), as TSV. */
  readonly predictions?: string;
}

/** Reads a model file and reports its task's metrics on the held-out split of its data. */
export async function evalCommand(request: EvalCommandRequest, io: Io): Promise<number> {
  const file = await readModelFile(request.path);
  if (request.predictions !== undefined) await checkPredictionsPath(request.predictions, file.config.task);
  await startBackend(request, io);
  const model = await openModel(file, io, 'eval', request.file);
  const interrupt = onInterrupt(
    (line) => println(io.err, line),
    async () => {},
  );
  try {
    println(io.err, model.session.summary);
    println(io.err, `model: ${file.config.task}, step ${file.checkpoint.step}`);
    const stored = evalBeams(file.config.settings as TrainSettings);
    const evaluation = await model.session.evaluate(model.params, {
      ...stored,
      ...(request.beams === undefined ? {} : { beams: request.beams }),
      limit: request.limit,
      predictions: request.predictions !== undefined,
      stopped: () => interrupt.requested,
    });
    for (const line of evaluation.lines) println(io.out, line);
    if (request.predictions !== undefined && evaluation.predictions !== undefined) {
      await writePredictions(request.predictions, evaluation.predictions);
      println(io.err, `predictions: ${evaluation.predictions.rows.length} rows written to ${request.predictions}`);
    }
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    model.dispose();
  }
}
