// Sentiment of short reviews: embedding → bidirectional LSTM → dense, trained, evaluated, predicting.
// Run with `npx tsx examples/sentiment.ts`.
import { cpu } from '@recur/backend-cpu';
import { lstm } from '@recur/cells';
import { Rng, useBackend } from '@recur/core';
import { padSequences, Tokenizer, toTensor } from '@recur/datasets';
import { bidirectional, dense, embedding, recurrent, stacked, trainable } from '@recur/layers';
import { accuracy, evaluate, fit, softmaxCrossEntropy } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { reviews } from './reviews.js';

await useBackend(cpu);
const [train, test] = [reviews(600, 1), reviews(200, 2)];
const tokenizer = Tokenizer.fit(train.texts, { level: 'word' });
const encode = (text: string) => tokenizer.encode(text);
const ids = (texts: string[]) => toTensor(padSequences(texts.map(encode), { maxLength: 8 }));
const net = stacked([
  embedding({ vocabSize: tokenizer.vocabulary.size, dim: 16, paddingId: 0 }),
  bidirectional(recurrent(lstm({ inputSize: 16, units: 16 }))),
  dense({ inputSize: 32, units: 2 }),
]);
const model = trainable(net, { loss: softmaxCrossEntropy, metrics: { accuracy }, rng: new Rng(1) });
const [x, xTest, xNew] = [ids(train.texts), ids(test.texts), ids(['the plot was not boring'])];
const adam = { kind: 'adam', learningRate: 0.01 } as const;
await fit(model, { inputs: x, targets: train.labels }, { epochs: 8, validationSplit: 0.1, optimizer: adam });
console.log('test:', await evaluate(model, { inputs: xTest, targets: test.labels }));
const positive = tf.tidy(() => tf.softmax(model.predict(xNew)).dataSync()[1]);
console.log(`'the plot was not boring' is positive with probability ${positive?.toFixed(3)}`);
tf.dispose([x, xTest, xNew]);
model.dispose();
