import { basename, resolve } from 'node:path';
import { BROWN_TAGSETS } from '@recur/datasets';
import { BUDGET_CLOCKS } from '@recur/train';
import { Command, CommanderError, Option } from 'commander';
import { BACKEND_CHOICES, type BackendChoice } from './backend.js';
import { benchCommand } from './commands/bench.js';
import { evalCommand } from './commands/eval.js';
import { EXPORT_FORMATS, type ExportFormat, exportCommand } from './commands/export.js';
import { generateCommand } from './commands/generate.js';
import { IMPORT_SOURCES, type ImportSource, importCommand } from './commands/import.js';
import { trainCommand } from './commands/train.js';
import { describeError, EXIT, usageError } from './errors.js';
import {
  columnList,
  dropoutRate,
  nonNegativeInteger,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  probability,
} from './flag-values.js';
import { type Io, println } from './io.js';
import { modelPath } from './model/model-file.js';
import { ALL_CELL_CHOICES } from './model/network.js';
import { PRESET_NAMES } from './presets.js';
import { DATASET_NAMES, FORECAST_LOSSES, G2P_MODELS, SEQUENCE_MODELS, TASK_NAMES } from './settings.js';
import { taskDefaultsHelp } from './task-defaults-help.js';
import { TASKS } from './tasks/tasks.js';
import { isTask, type TrainFlags, trainSettings } from './train-flags.js';

/** What commander parsed for `recur eval`. */
interface EvalFlags {
  model: string;
  backend: BackendChoice;
  threads?: number;
  beam?: string;
  limit: number;
  file?: string;
  predictions?: string;
}

function backendOption(): Option {
  return new Option('--backend <name>', 'cpu or wasm; auto: wasm if it starts, else cpu (always printed)')
    .choices(BACKEND_CHOICES)
    .default('auto');
}

function threadsOption(): Option {
  return new Option('--threads <n>', "threads of Recur's fused kernels (default: the cores available)").argParser(
    positiveInteger,
  );
}

function program(io: Io, setExit: (code: number) => void): Command {
  const root = new Command('recur')
    .description('Train, evaluate and sample recurrent networks (Recur on tfjs-core).')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
    });
  const tasks = TASK_NAMES.map(
    (t) => `  ${t.padEnd(9)} ${TASKS[t].description} (--dataset ${TASKS[t].datasets.join(' | ')})`,
  );
  root
    .command('train')
    .summary('train a model for <task> (char-lm, classify, forecast, anomaly, g2p, tag) and report held-out metrics')
    .description(`train a model for <task>, save it, and report held-out metrics\n\ntasks:\n${tasks.join('\n')}`)
    .argument('<task>', TASK_NAMES.join(' | '))
    .option('--dataset <name>', `a packaged dataset: ${DATASET_NAMES.join(', ')} (default: the task's first)`)
    .option('--file <path>', 'your own data: a text file (char-lm) or a CSV file (other tasks)')
    .option('--text-column <name>', 'CSV column with the text (classify) or the word (g2p)')
    .option(
      '--label-column <name>',
      'CSV column with the class (classify), the 0/1 anomaly flag (anomaly), or the phonemes (g2p)',
    )
    .option(
      '--columns <names>',
      'CSV numeric columns, comma-separated (forecast: the first is forecast; anomaly)',
      columnList,
    )
    .addOption(backendOption())
    .addOption(threadsOption())
    .addOption(
      new Option('--cell <kind>', 'recurrent cell (mingru, minlstm, slstm, mlstm, rwkv: char-lm and classify)').choices(
        ALL_CELL_CHOICES,
      ),
    )
    .option(
      '--layers <n>',
      'recurrent layers, or blocks (--cell mingru…), or time-delay layers (--model tdnn: default 3)',
      positiveInteger,
    )
    .option('--units <n>', 'units per recurrent layer', positiveInteger)
    .option('--embedding-dim <n>', 'embedding size of token inputs', positiveInteger)
    .option(
      '--seq-length <n>',
      'time steps: TBPTT chunk (char-lm), tokens per text (classify), look-back (forecast, anomaly)',
      positiveInteger,
    )
    .option('--horizon <n>', 'days (steps) ahead to forecast', positiveInteger)
    .option(
      '--season <n>',
      "season of the seasonal-naive baseline and MASE (forecast; default: the data's)",
      positiveInteger,
    )
    .option(
      '--lag <n>',
      "lag of the base forecast the network corrects (forecast; default: the data's, 364 for births)",
      positiveInteger,
    )
    .option('--batch <n>', 'sequences per batch', positiveInteger)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber)
    .option('--minutes <m>', 'training time budget in minutes', positiveNumber)
    .addOption(
      new Option(
        '--budget-clock <clock>',
        "what --minutes counts: elapsed time, or this process's CPU time (equal compute for runs on a shared machine)",
      )
        .choices(BUDGET_CLOCKS)
        .default('wall'),
    )
    .option('--max-steps <n>', 'stop after this many optimizer steps in all', positiveInteger)
    .option('--epochs <n>', 'stop after this many epochs', positiveInteger)
    .option('--seed <n>', 'random seed (weights, shuffling, sampling)', nonNegativeInteger, 1)
    .option('--checkpoint-dir <dir>', 'where model.ckpt is written (default: recur-runs/<task>-<data>)')
    .option('--checkpoint-every <n>', 'steps between checkpoints', positiveInteger, 100)
    .option('--resume', 'continue from the checkpoint in --checkpoint-dir')
    .option('--overwrite', 'replace a model already in --checkpoint-dir')
    .option('--eval-limit <n>', 'held-out examples to evaluate at the end (0: all)', nonNegativeInteger, 0)
    .addOption(new Option('--tagset <name>', 'tag: the universal tags or the full Brown tagset').choices(BROWN_TAGSETS))
    .option('--crf', 'tag: a CRF output layer instead of per-word softmax')
    .addOption(
      new Option(
        '--model <kind>',
        'g2p: attention encoder–decoder or CTC; classify, forecast, anomaly: recurrent layers or a time-delay (TDNN) stack',
      ).choices([...G2P_MODELS, ...SEQUENCE_MODELS]),
    )
    .addOption(new Option('--preset <name>', 'quick: the defaults; best: the recipe (see below)').choices(PRESET_NAMES))
    .option('--weight-decay <λ>', 'AdamW decoupled weight decay (0: Adam)', nonNegativeNumber)
    .option('--warmup-steps <n>', 'steps of linear learning-rate warm-up', nonNegativeInteger)
    .addOption(new Option('--schedule <kind>', 'learning rate after warm-up').choices(['constant', 'cosine']))
    .option(
      '--dropout <rate>',
      "dropout rate in [0, 1) while training: g2p on the encoder layers' inputs; char-lm on each layer's input and the head's",
      dropoutRate,
    )
    .option('--beam <width>', 'g2p: beam width of the evaluation after training (default 5)', positiveInteger)
    .option('--length-penalty <α>', "g2p: GNMT length penalty of the attention model's beam search", nonNegativeNumber)
    .option('--all-pronunciations', "g2p: train on every pronunciation CMUdict lists, not only each word's first")
    .addOption(
      new Option('--loss <kind>', 'forecast: training loss (default mse; mae is what MASE scores)').choices(
        FORECAST_LOSSES,
      ),
    )
    .option('--verbose', 'stack traces on errors')
    .addHelpText('after', taskDefaultsHelp)
    .action(async (task: string, flags: TrainFlags) => {
      if (!isTask(task)) throw usageError(`unknown task '${task}': choose one of ${TASK_NAMES.join(', ')}`);
      const settings = trainSettings(task, flags, io.cwd);
      const dataName =
        settings.source.kind === 'dataset'
          ? settings.source.name
          : basename(settings.source.path).replace(/\.[^.]*$/, '');
      const dir = flags.checkpointDir ?? `recur-runs/${task}-${dataName}`;
      setExit(
        await trainCommand(
          {
            settings,
            backend: flags.backend,
            ...(flags.threads === undefined ? {} : { threads: flags.threads }),
            path: modelPath(dir, io.cwd),
            resume: flags.resume === true,
            overwrite: flags.overwrite === true,
            evalLimit: flags.evalLimit,
            budgetClock: flags.budgetClock ?? 'wall',
          },
          io,
        ),
      );
    });
  root
    .command('eval')
    .description("report a trained model's metrics on the held-out split of its data")
    .requiredOption('--model <path>', 'model folder (holding model.ckpt) or .ckpt file')
    .addOption(backendOption())
    .addOption(threadsOption())
    .option('--beam <widths>', "beam widths to decode with (g2p), comma-separated (default: 1 and the model's)")
    .option('--limit <n>', 'held-out examples to evaluate (0: all)', nonNegativeInteger, 0)
    .option('--file <path>', 'the data to evaluate on, for a model trained on a file (same columns)')
    .option(
      '--predictions <file>',
      "write the model's output for each held-out example as TSV (g2p: WORD<TAB>phonemes)",
    )
    .option('--verbose', 'stack traces on errors')
    .action(async (flags: EvalFlags) => {
      const beams = flags.beam?.split(',').map((s) => Number(s.trim()));
      if (beams !== undefined && !beams.every((b) => Number.isInteger(b) && b > 0)) {
        throw usageError(`--beam '${flags.beam}': expected positive integers separated by commas, e.g. 1,5`);
      }
      setExit(
        await evalCommand(
          {
            path: modelPath(flags.model, io.cwd),
            backend: flags.backend,
            ...(flags.threads === undefined ? {} : { threads: flags.threads }),
            ...(beams === undefined ? {} : { beams }),
            limit: flags.limit,
            ...(flags.file === undefined ? {} : { file: resolve(io.cwd, flags.file) }),
            ...(flags.predictions === undefined ? {} : { predictions: resolve(io.cwd, flags.predictions) }),
          },
          io,
        ),
      );
    });
  root
    .command('generate')
    .description('generate text from a char-lm model, or a pronunciation from a g2p model')
    .requiredOption('--model <path>', 'model folder (holding model.ckpt) or .ckpt file')
    .addOption(backendOption())
    .addOption(threadsOption())
    .option('--prompt <text>', 'text to continue (char-lm) or word to transcribe (g2p)')
    .option('--length <n>', 'most tokens to generate', positiveInteger, 300)
    .option('--temperature <t>', 'sampling temperature; 0 for greedy', nonNegativeNumber, 0.8)
    .option('--top-k <k>', 'sample among the k most likely tokens', positiveInteger)
    .option('--top-p <p>', 'sample among the most likely tokens holding probability p', probability)
    .option('--beam <width>', 'beam search with this width instead of sampling', positiveInteger, 1)
    .option('--seed <n>', 'random seed of the sampling', nonNegativeInteger, 1)
    .option('--verbose', 'stack traces on errors')
    .action(
      async (flags: {
        model: string;
        backend: BackendChoice;
        threads?: number;
        prompt?: string;
        length: number;
        temperature: number;
        topK?: number;
        topP?: number;
        beam: number;
        seed: number;
      }) => {
        setExit(
          await generateCommand(
            {
              path: modelPath(flags.model, io.cwd),
              backend: flags.backend,
              ...(flags.threads === undefined ? {} : { threads: flags.threads }),
              prompt: flags.prompt,
              length: flags.length,
              temperature: flags.temperature,
              topK: flags.topK,
              topP: flags.topP,
              beam: flags.beam,
              seed: flags.seed,
            },
            io,
          ),
        );
      },
    );
  root
    .command('export')
    .description("write a model's network as ONNX, PyTorch safetensors or a tfjs-layers folder (see README)")
    .requiredOption('--model <path>', 'model folder (holding model.ckpt) or .ckpt file')
    .addOption(new Option('--format <name>', 'onnx | torch | tfjs').choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption('--out <dir>', 'folder to write the files into (made if missing)')
    .option('--overwrite', 'replace files already in --out')
    .addOption(backendOption())
    .addOption(threadsOption())
    .option('--verbose', 'stack traces on errors')
    .action(
      async (f: {
        model: string;
        format: ExportFormat;
        out: string;
        overwrite?: boolean;
        backend: BackendChoice;
        threads?: number;
      }) => {
        const request = {
          ...f,
          path: modelPath(f.model, io.cwd),
          out: resolve(io.cwd, f.out),
          overwrite: f.overwrite === true,
        };
        setExit(await exportCommand(request, io));
      },
    );
  root
    .command('import')
    .description('make a char-lm model folder from a PyTorch or tfjs-layers export (see README)')
    .argument('<folder>', 'the export: model.safetensors (torch) or model.json (tfjs), with tokenizer.json')
    .addOption(new Option('--from <format>', 'torch | tfjs').choices(IMPORT_SOURCES).makeOptionMandatory())
    .requiredOption('--task <task>', 'the task of the model: char-lm')
    .requiredOption('--out <dir>', 'model folder to write (model.ckpt)')
    .option('--modules <file>', 'torch: the modules with their constructor arguments (default <folder>/modules.json)')
    .option('--tokenizer <file>', 'the Recur tokenizer JSON (default <folder>/tokenizer.json)')
    .option('--prompt <text>', "the prompt 'recur generate' continues when given none")
    .option('--overwrite', 'replace a model already in --out')
    .addOption(backendOption())
    .addOption(threadsOption())
    .option('--verbose', 'stack traces on errors')
    .action(
      async (
        folder: string,
        f: {
          from: ImportSource;
          task: string;
          out: string;
          overwrite?: boolean;
          backend: BackendChoice;
          threads?: number;
          modules?: string;
          tokenizer?: string;
          prompt?: string;
        },
      ) => {
        const at = (p: string) => resolve(io.cwd, p);
        const request = {
          ...f,
          source: resolve(io.cwd, folder),
          path: modelPath(f.out, io.cwd),
          overwrite: f.overwrite === true,
          ...(f.modules === undefined ? {} : { modules: at(f.modules) }),
          ...(f.tokenizer === undefined ? {} : { tokenizer: at(f.tokenizer) }),
        };
        setExit(await importCommand(request, io));
      },
    );
  root
    .command('bench')
    .description("run the repository's benchmarks (pnpm bench): Recur against tfjs-layers, brain.js and PyTorch")
    .argument(
      '[args...]',
      'passed on to the benchmark script (--quick, --workload W1,W3, --backend cpu, --no-pytorch, --save)',
    )
    .option('--dry-run', 'print what would run, and run nothing')
    // The benchmark's own options (`recur bench --quick`) go through as arguments.
    .allowUnknownOption()
    .action(async (args: string[], flags: { dryRun?: boolean }) => {
      setExit(await benchCommand(args, flags.dryRun === true, io));
    });
  return root;
}

/**
 * Runs the `recur` command line (`argv` without `node` and the script) and returns the
 * exit code. Errors end as one line on stderr (the stack too with `--verbose`).
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const verbose = argv.includes('--verbose');
  try {
    await program(io, (c) => {
      code = c;
    }).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help); help and --version exit 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { line, exitCode } = describeError(error);
    println(io.err, `error: ${line}`);
    if (verbose && error instanceof Error && error.stack !== undefined) println(io.err, error.stack);
    return exitCode;
  }
}
