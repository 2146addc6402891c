import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { concatBytes } from '../../src/bytes.js';
import { writeTfjsFolder } from '../../src/node.js';
import type { TfjsModelFiles } from '../../src/tfjs-model.js';

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'recur-interop-'));
}

/** What tfjs-layers' `model.save` gives, as the folder a file:// handler would write. */
export async function savedByTfjs(model: tfl.LayersModel): Promise<TfjsModelFiles> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts as tf.io.ModelArtifacts;
  const shard = 'group1-shard1of1.bin';
  return {
    modelJson: {
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy,
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: [shard], weights: a.weightSpecs }],
    },
    shards: { [shard]: new Uint8Array(a.weightData as ArrayBuffer) },
  };
}

/** Saves through a real folder: `model.save` artifacts written, as the file handler lays them out. */
export async function tfjsFolder(model: tfl.LayersModel): Promise<string> {
  const dir = tempDir();
  await writeTfjsFolder(dir, await savedByTfjs(model));
  return dir;
}

/** Loads a folder's files into tfjs-layers, as `tf.loadLayersModel('file://…')` would. */
export async function loadInTfjs(files: TfjsModelFiles): Promise<tfl.LayersModel> {
  const json = files.modelJson as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const bytes = json.weightsManifest.flatMap((g) => g.paths.map((p) => files.shards[p] as Uint8Array));
  const weightData = concatBytes(bytes).buffer as ArrayBuffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
}

/** Standard-normal values from a seed. */
export function randn(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(new Rng(seed).fillNormal(new Float32Array(n), 0, 1), shape, 'float32');
}

/** A random bias initializer, so a wrong bias layout shows. */
export const randomBias = () => tfl.initializers.randomNormal({ stddev: 0.5, seed: 3 });
