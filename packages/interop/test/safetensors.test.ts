import { RecurError } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../src/index.js';
import { fixtureBytes, fixtureJson } from './helpers/fixtures.js';

/** A file from a header object and data bytes, for malformed cases. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), declared?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectCorrupt(bytes: Uint8Array, message: RegExp): void {
  const before = tf.memory().numTensors;
  let caught: unknown;
  try {
    readSafetensors(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RecurError);
  expect((caught as RecurError).code).toBe('CORRUPT_FILE');
  expect((caught as RecurError).message).toMatch(message);
  expect(tf.memory().numTensors, 'nothing half-loaded').toBe(before);
}

describeBackends('safetensors', () => {
  checkLeaks();

  describe('readSafetensors', () => {
    it('should read F32, F16, BF16 and F64 as PyTorch converts them to float32', () => {
      const fx = fixtureJson<Record<string, number[][]>>('dtypes');
      const { tensors } = readSafetensors(fixtureBytes('dtypes.safetensors'));
      expect(Object.keys(tensors)).toEqual(['f32', 'f16', 'bf16', 'f64']);
      for (const [name, t] of Object.entries(tensors)) {
        expect(t.dtype).toBe('float32');
        expectClose(t, (fx[name] as number[][]).flat(), { rtol: 0, atol: 0 });
      }
      tf.dispose(tensors);
    });

    it('should refuse a file shorter than the header length field', () => {
      expectCorrupt(new Uint8Array(5), /shorter than the 8-byte header length/);
    });

    it('should refuse a truncated header', () => {
      const whole = file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4));
      expectCorrupt(whole.subarray(0, 20), /truncated/);
      expectCorrupt(file({}, new Uint8Array(0), 1e12), /exceeds the limit/);
    });

    it('should refuse a header that is not a JSON object', () => {
      const bad = file({});
      bad[8] = 0x5b; // '[' where '{' was
      expectCorrupt(bad, /not UTF-8 JSON|not a JSON object/);
      expectCorrupt(file([1, 2]), /not a JSON object/);
    });

    it('should refuse offsets out of range, holes and overlaps', () => {
      const data = new Uint8Array(8);
      expectCorrupt(file({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data), /within the 8 data bytes/);
      expectCorrupt(file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data), /hole or an overlap/);
      expectCorrupt(
        file(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          data,
        ),
        /hole or an overlap/,
      );
      expectCorrupt(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data), /cover 4 bytes/);
    });

    it('should refuse unknown dtypes and shapes that disagree with the offsets', () => {
      const data = new Uint8Array(8);
      expectCorrupt(file({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data), /dtype "I64"/);
      expectCorrupt(file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data), /needs 12 bytes/);
      expectCorrupt(file({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data), /non-negative integers/);
      expectCorrupt(file({ __metadata__: { v: 1 } }), /__metadata__.v is not a string/);
    });
  });

  describe('writeSafetensors', () => {
    it('should round-trip names, shapes, values and metadata exactly', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.float({ noNaN: true })), {
            maxLength: 4,
          }),
          (specs) => {
            const tensors: Record<string, tf.Tensor> = {};
            specs.forEach(([shape, v], i) => {
              const n = shape.reduce((a, b) => a * b, 1);
              tensors[`t.${i}`] = tf.tensor(
                Array.from({ length: n }, (_, j) => v * (j + 1)),
                shape,
                'float32',
              );
            });
            const bytes = writeSafetensors(tensors, { format: 'pt' });
            expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
            const back = readSafetensors(bytes);
            expect(back.metadata).toEqual({ format: 'pt' });
            expect(Object.keys(back.tensors)).toEqual(Object.keys(tensors));
            for (const [name, t] of Object.entries(tensors)) {
              expect(back.tensors[name]?.shape).toEqual(t.shape);
              expect(Array.from(back.tensors[name]?.dataSync() ?? [])).toEqual(Array.from(t.dataSync()));
            }
            tf.dispose([tensors, back.tensors]);
          },
        ),
        { numRuns: 40 },
      );
    });

    it('should refuse what is not a record of tensors, naming the entry', () => {
      expect(() => writeSafetensors({ w: [1, 2] as never })).toThrow(/tensors\['w'\]: expected a tensor/);
      expect(() => writeSafetensors(null as never)).toThrow(RecurError);
      const t = tf.zeros([1]);
      expect(() => writeSafetensors({ t }, { n: 3 as never })).toThrow(/metadata: expected a record of strings/);
      t.dispose();
    });
  });
});
