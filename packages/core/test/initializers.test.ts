import {
  type BackendPlugin,
  computeFans,
  constant,
  getInitializer,
  glorotNormal,
  glorotUniform,
  heNormal,
  INITIALIZER_NAMES,
  identity,
  normal,
  orthogonal,
  RecurError,
  Rng,
  uniform,
  useBackend,
  varianceScaling,
  zeros,
} from '@recur/core';
import { backendMatrix, checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

function stats(t: tf.Tensor): { mean: number; variance: number; min: number; max: number } {
  const xs = t.dataSync();
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    v += (x - mean) ** 2;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  return { mean, variance: v / xs.length, min, max };
}

/**
 * Asserts orthonormal rows (or columns, whichever are fewer), checking every pair among
 * up to 40 vectors spread over the matrix, in doubles.
 */
function expectOrthonormal(q: tf.Tensor, shape: number[]): void {
  expect(q.shape).toEqual(shape);
  const cols = shape[shape.length - 1] as number;
  const rows = q.size / cols;
  const data = q.dataSync();
  const count = Math.min(rows, cols);
  const length = Math.max(rows, cols);
  const at = (v: number, k: number) => (rows <= cols ? data[v * cols + k] : data[k * cols + v]) as number;
  const n = Math.min(count, 40);
  const picked = Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
  let worst = 0;
  for (const a of picked) {
    for (const b of picked) {
      let dot = 0;
      for (let k = 0; k < length; k++) dot += at(a, k) * at(b, k);
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  expect(worst).toBeLessThan(2e-5);
}

function use<T>(t: tf.Tensor, fn: (t: tf.Tensor) => T): T {
  try {
    return fn(t);
  } finally {
    t.dispose();
  }
}

describe('computeFans', () => {
  it('should follow Keras for 2-D and convolution-like shapes', () => {
    expect(computeFans([3, 5])).toEqual({ fanIn: 3, fanOut: 5 });
    expect(computeFans([2, 2, 3, 5])).toEqual({ fanIn: 12, fanOut: 20 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
  });
});

describeBackends('initializers', () => {
  checkLeaks();

  it('should make zeros and constants of the requested shape', () => {
    use(zeros()([2, 3], new Rng(0)), (t) => {
      expect(t.shape).toEqual([2, 3]);
      expect(t.dtype).toBe('float32');
      expectClose(t, new Float32Array(6));
    });
    use(constant(2.5)([4], new Rng(0)), (t) => expectClose(t, [2.5, 2.5, 2.5, 2.5]));
  });

  it('should draw uniform and normal values with Keras defaults', () => {
    use(uniform()([100, 100], new Rng(1)), (t) => {
      const s = stats(t);
      expect(s.min).toBeGreaterThanOrEqual(-0.05);
      expect(s.max).toBeLessThanOrEqual(0.05);
      expect(s.variance).toBeCloseTo(0.1 ** 2 / 12, 5);
    });
    use(normal({ stddev: 0.5 })([200, 100], new Rng(1)), (t) =>
      expect(Math.sqrt(stats(t).variance)).toBeCloseTo(0.5, 2),
    );
  });

  it('should give glorot uniform the limit sqrt(6 / (fanIn + fanOut))', () => {
    use(glorotUniform()([64, 192], new Rng(2)), (t) => {
      const limit = Math.sqrt(6 / (64 + 192));
      const s = stats(t);
      expect(s.max).toBeLessThanOrEqual(limit);
      expect(s.min).toBeGreaterThanOrEqual(-limit);
      expect(s.variance).toBeCloseTo(2 / (64 + 192), 4);
    });
  });

  it('should give truncated-normal variance scaling the requested variance, truncated at two sigma', () => {
    use(heNormal()([200, 300], new Rng(3)), (t) => {
      const s = stats(t);
      expect(s.variance).toBeCloseTo(2 / 200, 3);
      const sigma = Math.sqrt(2 / 200) / 0.8796256610342398;
      expect(s.max).toBeLessThanOrEqual(2 * sigma + 1e-6);
    });
    use(glorotNormal()([100, 100], new Rng(3)), (t) => expect(stats(t).variance).toBeCloseTo(1 / 100, 3));
  });

  it('should reproduce the same weights from the same seed', () => {
    const a = glorotUniform()([8, 8], new Rng(9));
    const b = glorotUniform()([8, 8], new Rng(9));
    const c = glorotUniform()([8, 8], new Rng(10));
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
  });

  it.each([[[64, 64]], [[3, 7]], [[7, 3]], [[2, 3, 5]]])('should make %j orthogonal', (shape) => {
    use(orthogonal()(shape, new Rng(11)), (q) => expectOrthonormal(q, shape));
  });

  it('should scale orthogonal by gain and build identity', () => {
    use(orthogonal({ gain: 2 })([16, 16], new Rng(1)), (q) =>
      tf.tidy(() =>
        expectClose(tf.matMul(q as tf.Tensor2D, q as tf.Tensor2D, false, true), tf.mul(tf.eye(16), 4), { atol: 1e-4 }),
      ),
    );
    use(identity({ gain: 3 })([2, 3], new Rng(0)), (t) => expectClose(t, [3, 0, 0, 0, 3, 0]));
  });

  it('should look initializers up by camelCase or snake_case name', () => {
    for (const name of INITIALIZER_NAMES) {
      const shape = name === 'identity' || name === 'orthogonal' ? [4, 4] : [4, 4];
      use(getInitializer(name)(shape, new Rng(0)), (t) => expect(t.shape).toEqual(shape));
    }
    use(getInitializer('glorot_uniform')([2, 2], new Rng(0)), (t) => expect(t.shape).toEqual([2, 2]));
  });
});

describe('orthogonal at LSTM scale', () => {
  beforeAll(async () => {
    await useBackend(backendMatrix()[0] as BackendPlugin);
  });

  // The arithmetic happens in JavaScript whatever the backend, so one backend suffices.
  it.each([[[1024, 4096]], [[4096, 1024]]])('should make %j orthogonal', (shape) => {
    use(orthogonal()(shape, new Rng(11)), (q) => expectOrthonormal(q, shape));
  });
});

describe('initializers with bad input', () => {
  it.each([[[]], [[0, 3]], [[-1, 3]], [[2.5, 3]], [[Number.NaN]], ['3x3']])(
    'should refuse shape %j with a RecurError naming shape, expected and received',
    (shape) => {
      const make = () => glorotUniform()(shape as unknown as number[], new Rng(0));
      expect(make).toThrow(RecurError);
      expect(make).toThrow(/shape: expected a non-empty array of positive integers, received/);
    },
  );

  it('should refuse bad options and unknown names', () => {
    expect(() => uniform({ minval: 1, maxval: 0 })).toThrow(
      /maxval: expected a number greater than minval \(1\), received 0/,
    );
    expect(() => normal({ stddev: -1 })).toThrow(/stddev: expected a positive finite number, received -1/);
    expect(() => varianceScaling({ mode: 'fanSideways' as never })).toThrow(
      /mode: expected one of 'fanIn', 'fanOut', 'fanAvg', received 'fanSideways'/,
    );
    expect(() => getInitializer('glorotSquare')).toThrow(
      /initializer: expected one of .*glorotUniform.*, received 'glorotSquare'/,
    );
    expect(() => orthogonal()([5], new Rng(0))).toThrow(/shape: expected at least 2 dimensions/);
  });

  it('should refuse an Rng-shaped object whose draws never vary, with a RecurError', () => {
    const constant = { fillNormal: (a: Float64Array) => a.fill(0.5) } as unknown as Rng;
    expect(() => orthogonal()([3, 3], constant)).toThrow(
      expect.objectContaining({
        name: 'RecurError',
        code: 'BAD_CONFIG',
        message: expect.stringMatching(/^orthogonal rng: expected an Rng whose draws vary/),
      }),
    );
  });
});
