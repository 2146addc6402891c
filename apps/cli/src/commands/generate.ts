import { type BackendRequest, startBackend } from '../backend.js';
import { CliError, EXIT } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { type Io, println } from '../io.js';
import { readModelFile } from '../model/model-file.js';
import type { GenerateRequest } from '../tasks/task.js';
import { openModel } from './session.js';

/** Text from a model file: a continuation of the prompt (char-lm) or a pronunciation (g2p). */
export async function generateCommand(
  request: GenerateRequest & BackendRequest & { readonly path: string },
  io: Io,
): Promise<number> {
  const file = await readModelFile(request.path);
  if (file.config.task !== 'char-lm' && file.config.task !== 'g2p') {
    throw new CliError(
      `${file.path} holds a ${file.config.task} model, which generates nothing: give generate a char-lm or g2p model (use 'recur eval' for this one)`,
    );
  }
  await startBackend(request, io);
  const model = await openModel(file, io, 'generate');
  const interrupt = onInterrupt(
    (line) => println(io.err, line),
    async () => {},
  );
  try {
    const text = await model.session.generate?.(model.params, { ...request, stopped: () => interrupt.requested });
    println(io.out, text ?? '');
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    model.dispose();
  }
}
