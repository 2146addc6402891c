import { type RwkvCarry, type RwkvParams, rwkv } from '@recur/cells';
import { type Carry, type Cell, hasFusedKernel, type Params, Rng, scan, wkvSequence } from '@recur/core';
import { checkLeaks, closeness, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { rwkvReference } from './rwkv-reference.js';
import { expectRecurError } from './support/errors.js';
import { carryRow, randomTensor, toRefParams } from './support/fixtures.js';
import type { Mat, RefCarry, Vec } from './support/reference.js';
import { warmRwkv as setup } from './support/rwkv-setup.js';

const ref = rwkvReference({ layerNormEpsilon: 1e-5 });
const FORWARD = { rtol: 1e-5, atol: 1e-5 };

/** d Σ_t w_t·y_t / d(params, xs) over `steps` steps: tfjs gradients against float64 central differences of the paper's equations. */
function expectGradientsMatch(seed: number, opts: Parameters<typeof setup>[1], tol = { rtol: 1e-4, atol: 1e-5 }) {
  const { cell, params, carry, rng, batch } = setup(seed, opts);
  const steps = 3;
  const xs = Array.from({ length: steps }, () => randomTensor<tf.Rank.R2>([batch, cell.inputSize], rng));
  const ws = Array.from({ length: steps }, () => randomTensor<tf.Rank.R2>([batch, cell.outputSize], rng));
  const names = Object.keys(params);
  const all = [...names.map((n) => params[n] as tf.Tensor), ...xs];
  const grads = tf.tidy(() =>
    tf
      .grads((...ts: tf.Tensor[]) => {
        const p = Object.fromEntries(names.map((n, i) => [n, ts[i] as tf.Tensor])) as RwkvParams;
        let c: RwkvCarry = carry;
        let total = tf.scalar(0);
        for (let t = 0; t < steps; t++) {
          const out = cell.step(p, c, ts[names.length + t] as tf.Tensor2D);
          c = out.carry;
          total = tf.add(total, tf.sum(tf.mul(out.y, ws[t] as tf.Tensor)));
        }
        return total;
      })(all)
      .map((g) => Array.from(g.dataSync())),
  );
  const values = all.map((t) => Float64Array.from(t.dataSync()));
  const shapes = all.map((t) => t.shape);
  const carries = Array.from({ length: batch }, (_, b) => carryRow(carry, b));
  const weights = ws.map((w) => w.arraySync() as Mat);
  const rows = (v: Float64Array, shape: number[]): Vec | Mat =>
    shape.length === 1
      ? Array.from(v)
      : Array.from({ length: shape[0] as number }, (_, r) =>
          Array.from(v.subarray(r * (shape[1] as number), (r + 1) * (shape[1] as number))),
        );
  const loss = () => {
    const p = Object.fromEntries(names.map((n, i) => [n, rows(values[i] as Float64Array, shapes[i] as number[])]));
    let total = 0;
    for (let b = 0; b < batch; b++) {
      let c: RefCarry = carries[b] as RefCarry;
      for (let t = 0; t < steps; t++) {
        const x = (rows(values[names.length + t] as Float64Array, shapes[names.length + t] as number[]) as Mat)[b];
        const out = ref(p, c, x as Vec);
        c = out.carry;
        out.y.forEach((y, j) => {
          total += y * ((weights[t] as Mat)[b] as Vec)[j]!;
        });
      }
    }
    return total;
  };
  values.forEach((v, i) => {
    const fd = Array.from(v, (value, j) => {
      v[j] = value + 1e-6;
      const up = loss();
      v[j] = value - 1e-6;
      const down = loss();
      v[j] = value;
      return (up - down) / 2e-6;
    });
    const label = names[i] ?? `x[${i - names.length}]`;
    const { ok, message } = closeness(grads[i] as number[], fd, tol);
    expect(ok, `d loss / d ${label}: ${message}`).toBe(true);
    expect(grads[i]?.every(Number.isFinite), `${label}: finite`).toBe(true);
  });
  tf.dispose([...Object.values(params), ...Object.values(carry), ...xs, ...ws]);
}

/** Steps the cell from its warm carry and compares every output and carry row with the float64 oracle. */
function expectStepMatches(seed: number, opts: Parameters<typeof setup>[1]) {
  const { cell, params, carry: carry0, rng, batch } = setup(seed, opts);
  const refParams = toRefParams(params as Params);
  const refCarries = Array.from({ length: batch }, (_, b) => carryRow(carry0, b));
  let carry = carry0;
  for (let t = 0; t < 4; t++) {
    const x = randomTensor<tf.Rank.R2>([batch, cell.inputSize], rng);
    const out = cell.step(params, carry, x);
    const xRows = x.arraySync() as Mat;
    for (let b = 0; b < batch; b++) {
      const expected = ref(refParams, refCarries[b] as RefCarry, xRows[b] as Vec);
      refCarries[b] = expected.carry;
      const y = (out.y.arraySync() as Mat)[b] as Vec;
      expect(y.every(Number.isFinite)).toBe(true);
      expectClose(y, expected.y, FORWARD);
      for (const [name, tensor] of Object.entries(out.carry)) {
        expectClose((tensor.arraySync() as Mat)[b] as Vec, expected.carry[name] as Vec, FORWARD);
      }
    }
    tf.dispose([x, out.y, ...Object.values(carry)]);
    carry = out.carry;
  }
  tf.dispose([...Object.values(carry), ...Object.values(params)]);
}

describeBackends('rwkv step', () => {
  checkLeaks();

  it('should equal the paper’s equations 11–18 in float64, with and without an input projection', () => {
    expectStepMatches(1, { inputSize: 4, units: 4 });
    expectStepMatches(2, { inputSize: 3, units: 5 });
  });

  it('should match float64 finite differences of the paper’s equations', () => {
    expectGradientsMatch(3, { inputSize: 3, units: 4 });
  });

  it('should stay finite and exact with keys of ±60 and beyond (the running-max stabiliser)', () => {
    // LN makes a unit-variance; key weights of ±0.6·300 give keys of a hundred or more, which the running max shows.
    const { params, carry } = setup(4, { keyScale: 300 });
    expect(Math.max(...Array.from(carry.max.dataSync(), Math.abs))).toBeGreaterThan(60);
    tf.dispose([...Object.values(params), ...Object.values(carry)]);
    expectStepMatches(4, { keyScale: 300 });
    expectGradientsMatch(4, { keyScale: 300 }, { rtol: 1e-3, atol: 1e-3 });
  });

  it('should start from the empty state: zeros, and max −1e38', () => {
    const cell = rwkv({ inputSize: 2, units: 3 });
    const carry = cell.initCarry(2);
    expect(Object.keys(carry)).toEqual(['att', 'num', 'den', 'max', 'ffn']);
    expect(Array.from(carry.max.dataSync())).toEqual(new Array(6).fill(-1e38).map(Math.fround));
    expect(Array.from(carry.den.dataSync())).toEqual(new Array(6).fill(0));
    tf.dispose(Object.values(carry));
  });
});

describeBackends('rwkv sequence form', (backend) => {
  checkLeaks();

  it('should run the fused WKV kernel where the backend has one', () => {
    expect(hasFusedKernel(wkvSequence)).toBe(['cpu', 'wasm'].includes(backend.name));
  });

  it.each([
    ['T = 1', 1, false, 'previous', false],
    ['T odd, holes in the mask, from a state', 5, false, 'previous', true],
    ['T odd, reversed, holes, zeros at padding, from a state', 7, true, 'zeros', true],
    ['reversed, no mask, from a state', 6, true, 'previous', false],
  ] as const)(
    'should equal stepping the cell, outputs and gradients: %s',
    (_n, time, reverse, maskedOutput, masked) => {
      const { cell, params, carry, rng, batch } = setup(5, { inputSize: 3, units: 4, batch: 3 });
      const stepped = { ...cell } as Cell<Carry, Params, unknown>;
      delete (stepped as { sequence?: unknown }).sequence;
      const xs = randomTensor<tf.Rank.R3>([batch, time, 3], rng);
      const rows = [
        [0, 1, 1, 0, 1, 1, 0],
        [1, 1, 0, 0, 0, 1, 1],
        [0, 0, 0, 0, 0, 0, 0],
      ].map((row) => row.slice(0, time));
      const mask = masked ? tf.tensor2d(rows) : undefined;
      const probe = randomTensor([batch, time, 4], rng);
      const names = Object.keys(params);
      const run = (c: Cell<Carry, Params, unknown>) =>
        tf.tidy(() => {
          const options = { reverse, keepOrder: true, maskedOutput, initialState: carry, ...(mask ? { mask } : {}) };
          const f = (...ts: tf.Tensor[]) => {
            const p = Object.fromEntries(names.map((n, i) => [n, ts[i] as tf.Tensor]));
            const out = scan(c, p, ts[names.length] as tf.Tensor3D, options);
            const final = Object.values(out.state ?? {}).map((s) => tf.sum(tf.maximum(s, -1e3)));
            return tf.addN([tf.sum(tf.mul(out.outputs, probe)), ...final]) as tf.Scalar;
          };
          const out = scan(c, params as Params, xs, options);
          const grads = tf.grads(f)([...names.map((n) => params[n] as tf.Tensor), xs]);
          return [out.outputs, ...Object.values(out.state ?? {}), ...grads].map((t) => Array.from(t.dataSync()));
        });
      const fused = run(cell as unknown as Cell<Carry, Params, unknown>);
      const byStep = run(stepped);
      const visible = 1 + Object.keys(carry).length;
      fused.forEach((values, i) => {
        expectClose(
          values,
          byStep[i] as number[],
          i < visible ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-4, atol: 1e-4 },
        );
      });
      tf.dispose([...Object.values(params), ...Object.values(carry), xs, probe, ...(mask ? [mask] : [])]);
    },
  );
});

describeBackends('rwkv config', () => {
  checkLeaks();

  it('should refuse a bad config, naming the field', () => {
    expectRecurError(() => rwkv({ inputSize: 0, units: 4 }), 'BAD_CONFIG', /rwkv.*inputSize/);
    expectRecurError(() => rwkv({ inputSize: 2, units: 4, ffnMultiplier: -1 }), 'BAD_CONFIG', /ffnMultiplier/);
    expectRecurError(() => rwkv({ inputSize: 2, units: 4, colour: 'red' } as never), 'BAD_CONFIG', /colour/);
  });

  it('should refuse params of the wrong shape and a carry without its WKV state', () => {
    const cell = rwkv({ inputSize: 2, units: 3 });
    const params = cell.init(new Rng(1));
    const carry = cell.initCarry(2);
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    const bad = tf.zeros([3, 4]);
    expect(() => cell.step({ ...params, key: bad }, carry, x)).toThrow(/rwkv step params\.key/);
    const { max: _max, ...partial } = carry;
    expect(() => cell.step(params, partial as never, x)).toThrow(/rwkv step carry\.max/);
    tf.dispose([...Object.values(params), ...Object.values(carry), x, bad]);
  });

  it('should initialise decays as a ramp of memory lengths and hold no input projection when sizes agree', () => {
    const cell = rwkv({ inputSize: 4, units: 4 });
    const params = cell.init(new Rng(1));
    expect(params.inputKernel).toBeUndefined();
    const decay = Array.from((params.timeDecay as tf.Tensor).dataSync());
    expect(decay[0]).toBeCloseTo(-5);
    expect(decay[3]).toBeCloseTo(3);
    expect((params.ffnKey as tf.Tensor).shape).toEqual([4, 16]);
    tf.dispose(Object.values(params));
  });
});
