import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '@recur/core';
import { Tokenizer } from '@recur/datasets';
import { fromTfjsModel, readSafetensors } from '@recur/interop';
import { readTfjsFolder } from '@recur/interop/node';
import type { ParamTree } from '@recur/layers';
import { expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readModelFile } from '../src/model/model-file.js';
import { type NetworkConfig, network } from '../src/model/network.js';
import { fromStored, leaves } from '../src/model/params.js';
import { type CliResult, errorLines, recur } from './helpers/cli.js';
import { classifyCsv, seriesCsv, tempDir, textFile } from './helpers/fixtures.js';

const TINY = ['--units', '8', '--batch', '4', '--max-steps', '3', '--seq-length', '8', '--seed', '3'];
/** Sampling (not greedy), so every logit of every step matters to the text. */
const GENERATE = ['--prompt', 'The whale', '--length', '80', '--temperature', '0.9', '--seed', '5'];

async function trainCharLm(dir: string, cell: string): Promise<void> {
  const text = await textFile(dir, 3000);
  const trained = await recur(
    ['train', 'char-lm', '--file', text, '--checkpoint-dir', 'run', '--cell', cell, '--layers', '2', ...TINY],
    dir,
  );
  expect(trained.code, trained.err).toBe(0);
}

/** Exports `run` to `format`, imports it back into `back-<format>`, and returns the text that model generates. */
async function roundTrip(dir: string, format: string): Promise<string> {
  const exported = await recur(['export', '--model', 'run', '--format', format, '--out', format], dir);
  expect(exported.code, exported.err).toBe(0);
  const imported = await recur(
    ['import', '--from', format, format, '--task', 'char-lm', '--out', `back-${format}`],
    dir,
  );
  expect(imported.code, imported.err).toBe(0);
  expect(await readdir(join(dir, `back-${format}`))).toEqual(['model.ckpt']);
  const after = await recur(['generate', '--model', `back-${format}`, ...GENERATE], dir);
  expect(after.code, after.err).toBe(0);
  return after.out;
}

/** The trained network, its weights and the logits it gives for `ids`, from the model file itself. */
async function original(dir: string, ids: number[][]) {
  const file = await readModelFile(join(dir, 'run', 'model.ckpt'));
  const net = network(file.config.net as NetworkConfig);
  const params = fromStored(net.init(new Rng(0)) as ParamTree, file.checkpoint.weights, file.path);
  const input = tf.tensor2d(ids, undefined, 'int32');
  const { output, state } = net.apply(params as never, input);
  const logits = output.dataSync().slice() as Float32Array;
  tf.dispose([input, output, state as never, leaves(params).map(([, t]) => t)]);
  return { net, logits };
}

function expectOneError(result: CliResult, code: number, message: RegExp): void {
  const { errors, stack } = errorLines(result.err);
  expect(errors, result.err).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(stack).toBe(false);
  expect(result.code).toBe(code);
}

async function expectGruRefusedByTfjs(dir: string): Promise<void> {
  expectOneError(
    await recur(['export', '--model', 'run', '--format', 'tfjs', '--out', 'tfjs'], dir),
    1,
    /tfjs-layers cannot run a GRU with resetAfter/,
  );
}

describe('recur export › recur import', () => {
  const ids = [
    [5, 6, 7, 8, 9, 10],
    [11, 4, 12, 5, 13, 6],
  ];

  it.each(['lstm', 'gru', 'elman'])(
    'should give a %s char-lm that generates the same text after torch and tfjs round trips',
    async (cell) => {
      const dir = await tempDir();
      await trainCharLm(dir, cell);
      const before = await recur(['generate', '--model', 'run', ...GENERATE], dir);
      expect(before.code, before.err).toBe(0);
      expect(before.out.length).toBeGreaterThan(80);
      // tfjs-layers runs no GRU with the reset gate after the recurrent product (Recur's and PyTorch's).
      if (cell === 'gru') await expectGruRefusedByTfjs(dir);
      for (const format of cell === 'gru' ? ['torch'] : ['torch', 'tfjs']) {
        expect(await roundTrip(dir, format)).toBe(before.out);
        // The weights themselves came back bit for bit.
        const a = await readModelFile(join(dir, 'run', 'model.ckpt'));
        const b = await readModelFile(join(dir, `back-${format}`, 'model.ckpt'));
        expect(b.config.net).toEqual(a.config.net);
        expect(Object.keys(b.checkpoint.weights).sort()).toEqual(Object.keys(a.checkpoint.weights).sort());
        for (const [name, w] of Object.entries(a.checkpoint.weights)) {
          expect(b.checkpoint.weights[name]?.values, name).toEqual(w.values);
        }
      }
    },
  );

  it('should export a char-lm trained with dropout without its dropout layers, and import it to generate the same text', async () => {
    const dir = await tempDir();
    const text = await textFile(dir, 3000);
    const trained = await recur(
      ['train', 'char-lm', '--file', text, '--checkpoint-dir', 'run', '--layers', '2', '--dropout', '0.3', ...TINY],
      dir,
    );
    expect(trained.code, trained.err).toBe(0);
    const before = await recur(['generate', '--model', 'run', ...GENERATE], dir);
    expect(before.code, before.err).toBe(0);
    const onnx = await recur(['export', '--model', 'run', '--format', 'onnx', '--out', 'onnx'], dir);
    expect(onnx.code, onnx.err).toBe(0);
    for (const format of ['torch', 'tfjs']) {
      expect(await roundTrip(dir, format)).toBe(before.out);
      const a = await readModelFile(join(dir, 'run', 'model.ckpt'));
      const b = await readModelFile(join(dir, `back-${format}`, 'model.ckpt'));
      const { dropout, ...inference } = a.config.net as { dropout?: number };
      expect(dropout).toBe(0.3);
      expect(b.config.net).toEqual(inference);
    }
  });

  it("should write PyTorch's state_dict names, the modules to build it, and the tokenizer", async () => {
    const dir = await tempDir();
    await trainCharLm(dir, 'lstm');
    expect((await recur(['export', '--model', 'run', '--format', 'torch', '--out', 'pt'], dir)).code).toBe(0);
    expect((await readdir(join(dir, 'pt'))).sort()).toEqual(['model.safetensors', 'modules.json', 'tokenizer.json']);
    const modules = JSON.parse(await readFile(join(dir, 'pt', 'modules.json'), 'utf8'));
    const vocab = modules[0].args.num_embeddings;
    expect(modules).toEqual([
      { name: 'embed', type: 'Embedding', args: { num_embeddings: vocab, embedding_dim: 32 } },
      {
        name: 'rnn',
        type: 'LSTM',
        args: { input_size: 32, hidden_size: 8, num_layers: 2, bias: true, batch_first: true, bidirectional: false },
      },
      { name: 'head', type: 'Linear', args: { in_features: 8, out_features: vocab, bias: true } },
    ]);
    const { tensors } = readSafetensors(new Uint8Array(await readFile(join(dir, 'pt', 'model.safetensors'))));
    expect(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape]))).toEqual({
      'embed.weight': [vocab, 32],
      'rnn.weight_ih_l0': [32, 32],
      'rnn.weight_hh_l0': [32, 8],
      'rnn.bias_ih_l0': [32],
      'rnn.bias_hh_l0': [32],
      'rnn.weight_ih_l1': [32, 8],
      'rnn.weight_hh_l1': [32, 8],
      'rnn.bias_ih_l1': [32],
      'rnn.bias_hh_l1': [32],
      'head.weight': [vocab, 8],
      'head.bias': [vocab],
    });
    tf.dispose(Object.values(tensors));
  });

  it.each(['lstm', 'gru', 'elman'])(
    "should export a %s char-lm to ONNX with onnxruntime's logits within 1e-5, and to tfjs with equal ones",
    async (cell) => {
      const dir = await tempDir();
      await trainCharLm(dir, cell);
      const { net, logits } = await original(dir, ids);
      expect((await recur(['export', '--model', 'run', '--format', 'onnx', '--out', 'onnx'], dir)).code).toBe(0);
      const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
      const input = new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), [2, 6]);
      const out = (await session.run({ input })).output as ort.Tensor;
      expect(out.dims).toEqual([2, 6, net.config.outputs]);
      const ours = tf.tensor(logits, [2, 6, net.config.outputs]);
      expectClose(ours, out.data as Float32Array, { rtol: 1e-5, atol: 1e-5 });
      if (cell === 'gru') return expectGruRefusedByTfjs(dir);
      expect((await recur(['export', '--model', 'run', '--format', 'tfjs', '--out', 'tfjs'], dir)).code).toBe(0);
      const loaded = fromTfjsModel(await readTfjsFolder(join(dir, 'tfjs')));
      const x = tf.tensor2d(ids, undefined, 'int32');
      const theirs = loaded.model.apply(loaded.params, x);
      expect(theirs.output.dataSync()).toEqual(logits);
      tf.dispose([ours, x, theirs.output, theirs.state as never, loaded.params as never]);
    },
  );
});

describe('recur export of a forecaster', () => {
  it('should export a model of feature inputs and a last-step head to ONNX, torch and tfjs with equal outputs', async () => {
    const dir = await tempDir();
    const csv = await seriesCsv(dir);
    const trained = await recur(
      [
        'train',
        'forecast',
        '--file',
        csv,
        '--columns',
        'value',
        '--checkpoint-dir',
        'run',
        '--season',
        '7',
        '--lag',
        '7',
        ...TINY,
        '--seq-length',
        '14',
        '--layers',
        '2',
      ],
      dir,
    );
    expect(trained.code, trained.err).toBe(0);
    const file = await readModelFile(join(dir, 'run', 'model.ckpt'));
    const net = network(file.config.net as NetworkConfig);
    const params = fromStored(net.init(new Rng(0)) as ParamTree, file.checkpoint.weights, file.path);
    const x = tf.randomNormal([3, 14, 2], 0, 1, 'float32', 4);
    const ours = net.apply(params as never, x);
    for (const format of ['onnx', 'torch', 'tfjs']) {
      const exported = await recur(['export', '--model', 'run', '--format', format, '--out', format], dir);
      expect(exported.code, exported.err).toBe(0);
    }
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
    const input = new ort.Tensor('float32', x.dataSync() as Float32Array, [3, 14, 2]);
    const out = (await session.run({ input })).output as ort.Tensor;
    expect(out.dims).toEqual(ours.output.shape);
    expectClose(ours.output, out.data as Float32Array, { rtol: 1e-5, atol: 1e-5 });
    const loaded = fromTfjsModel(await readTfjsFolder(join(dir, 'tfjs')));
    const theirs = loaded.model.apply(loaded.params, x);
    expect(theirs.output.dataSync()).toEqual(ours.output.dataSync());
    const modules = JSON.parse(await readFile(join(dir, 'torch', 'modules.json'), 'utf8'));
    expect(modules.map((m: { type: string }) => m.type)).toEqual(['LSTM', 'Linear']);
    tf.dispose([x, ours.output, ours.state as never, theirs.output, theirs.state as never, loaded.params as never]);
    tf.dispose(leaves(params).map(([, t]) => t));
  });
});

describe('recur export › recur import with bad input', () => {
  it('should refuse an unknown format, a missing model and a taken --out, one line each', async () => {
    const dir = await tempDir();
    expectOneError(
      await recur(['export', '--model', 'run', '--format', 'keras', '--out', 'x'], dir),
      2,
      /'keras' is invalid\. Allowed choices are onnx, torch, tfjs/,
    );
    expectOneError(
      await recur(['export', '--model', 'nowhere', '--format', 'onnx', '--out', 'x'], dir),
      1,
      /no model file at .*nowhere\/model\.ckpt/,
    );
    expectOneError(
      await recur(['import', '--from', 'caffe', 'x', '--task', 'char-lm', '--out', 'y'], dir),
      2,
      /'caffe' is invalid\. Allowed choices are torch, tfjs/,
    );
    await trainCharLm(dir, 'lstm');
    expect((await recur(['export', '--model', 'run', '--format', 'onnx', '--out', 'x'], dir)).code).toBe(0);
    expectOneError(
      await recur(['export', '--model', 'run', '--format', 'onnx', '--out', 'x'], dir),
      1,
      /--out .*x already holds model\.onnx: pass --overwrite/,
    );
    expect((await recur(['export', '--model', 'run', '--format', 'onnx', '--out', 'x', '--overwrite'], dir)).code).toBe(
      0,
    );
  });

  it("should refuse exporting a classifier: the CLI's maxOverTime layer has no counterpart", async () => {
    const dir = await tempDir();
    const csv = await classifyCsv(dir);
    const trained = await recur(['train', 'classify', '--file', csv, '--checkpoint-dir', 'run', ...TINY], dir);
    expect(trained.code, trained.err).toBe(0);
    for (const format of ['onnx', 'torch', 'tfjs']) {
      expectOneError(
        await recur(['export', '--model', 'run', '--format', format, '--out', 'out'], dir),
        1,
        new RegExp(`maxOverTime \\(max-pooling over time, the CLI's own layer\\) has no ${format} counterpart`),
      );
    }
    expect(await readdir(dir)).not.toContain('out');
  });

  it('should refuse missing files, unsupported modules, a mismatched tokenizer and other tasks, writing no model', async () => {
    const dir = await tempDir();
    await trainCharLm(dir, 'gru');
    expect((await recur(['export', '--model', 'run', '--format', 'torch', '--out', 'pt'], dir)).code).toBe(0);
    const importing = (extra: string[], source = 'pt') =>
      recur(['import', '--from', 'torch', source, '--task', 'char-lm', '--out', 'back', ...extra], dir);
    expectOneError(await importing([], 'nowhere'), 1, /no folder .*nowhere: pass the folder/);
    expectOneError(
      await importing(['--modules', 'none.json']),
      1,
      /cannot read the torch module list \(modules\.json\) .*none\.json/,
    );
    expectOneError(
      await recur(['import', '--from', 'tfjs', 'pt', '--task', 'char-lm', '--out', 'back'], dir),
      1,
      /model\.json: cannot read it as JSON/,
    );
    const modules = JSON.parse(await readFile(join(dir, 'pt', 'modules.json'), 'utf8'));
    await writeFile(
      join(dir, 'conv.json'),
      JSON.stringify([modules[0], { name: 'conv', type: 'Conv1d', args: {} }, ...modules.slice(1)]),
    );
    expectOneError(
      await importing(['--modules', 'conv.json']),
      1,
      /torch module 'conv' of type nn\.Conv1d has no Recur layer/,
    );
    await writeFile(
      join(dir, 'bi.json'),
      JSON.stringify([
        modules[0],
        { ...modules[1], args: { ...modules[1].args, bidirectional: true } },
        { ...modules[2], args: { ...modules[2].args, in_features: 16 } },
      ]),
    );
    expectOneError(
      await importing(['--modules', 'bi.json']),
      1,
      /layers\[1\] \(bidirectional\): a char-lm model has forward recurrent layers/,
    );
    await writeFile(
      join(dir, 'relu.json'),
      JSON.stringify([
        modules[0],
        { ...modules[1], type: 'RNN', args: { ...modules[1].args, nonlinearity: 'relu' } },
        modules[2],
      ]),
    );
    expectOneError(
      await importing(['--modules', 'relu.json']),
      1,
      /layers\[1\] \(recurrent\): activation is "relu", the CLI's char-lm needs "tanh": this model cannot be imported/,
    );
    await mkdir(join(dir, 'empty'));
    expectOneError(
      await importing(['--modules', 'pt/modules.json', '--tokenizer', 'pt/tokenizer.json'], 'empty'),
      1,
      /no .*empty\/model\.safetensors: --from torch reads a folder holding model\.safetensors/,
    );
    await writeFile(join(dir, 'abc.json'), JSON.stringify(Tokenizer.fit('abc', { level: 'char' }).toJSON()));
    expectOneError(
      await importing(['--tokenizer', 'abc.json']),
      1,
      /layers\[0\] \(embedding\) has \d+ tokens, the tokenizer 7/,
    );
    await writeFile(join(dir, 'bad.json'), '{"format": "recur-tokenizer"}');
    expectOneError(await importing(['--tokenizer', 'bad.json']), 1, /bad\.json/);
    expectOneError(await importing(['--task', 'classify']), 1, /--task classify: import makes char-lm models/);
    expect(await readdir(dir)).not.toContain('back');
  });
});
