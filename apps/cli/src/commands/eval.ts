import { type BackendChoice, startBackend } from '../backend.js';
import { EXIT } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { type Io, println } from '../io.js';
import { readModelFile } from '../model/model-file.js';
import { openModel } from './session.js';

export interface EvalCommandRequest {
  readonly path: string;
  readonly backend: BackendChoice;
  /** Beam widths (g2p). */
  readonly beams: readonly number[];
  readonly limit: number;
  /** The data file (absolute), for a model trained on a file: the model file names none. */
  readonly file?: string;
}

/** Reads a model file and reports its task's metrics on the held-out split of its data. */
export async function evalCommand(request: EvalCommandRequest, io: Io): Promise<number> {
  const file = await readModelFile(request.path);
  await startBackend(request.backend, io);
  const model = await openModel(file, io, 'eval', request.file);
  const interrupt = onInterrupt(
    (line) => println(io.err, line),
    async () => {},
  );
  try {
    println(io.err, model.session.summary);
    println(io.err, `model: ${file.config.task}, step ${file.checkpoint.step}`);
    const evaluation = await model.session.evaluate(model.params, {
      beams: request.beams,
      limit: request.limit,
      stopped: () => interrupt.requested,
    });
    for (const line of evaluation.lines) println(io.out, line);
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    model.dispose();
  }
}
