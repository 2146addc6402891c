import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecurError } from '@recur/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  OPENBLAS_OPENMP,
  type ProcessRunner,
  type PytorchRequest,
  parsePytorchAnswer,
  pythonCandidates,
  pytorchEnv,
  runPytorch,
} from '../src/pytorch.js';
import { WORKLOADS } from '../src/workloads.js';

const W1 = WORKLOADS[0]!;
const W3 = WORKLOADS[2]!;
const request: PytorchRequest = {
  workloads: [W1, W3],
  threads: [1, 2],
  budget: { warmup: 1, minReps: 2, maxReps: 20, budgetMs: 1000 },
};

function answer(
  records = request.workloads.flatMap((w) =>
    request.threads.map((threads) => ({ workload: w.id, threads, trainMs: 60, forwardMs: 20 })),
  ),
) {
  return { torch: '1.13.0', python: '3.11.2', blas: 'libopenblas.so', matmulGflops: { '1': 160, '2': 280 }, records };
}

const dir = mkdtempSync(join(tmpdir(), 'recur-bench-pytorch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable shell script standing in for python3. */
function fakePython(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('pytorch', () => {
  describe('pythonCandidates', () => {
    it("should try Debian's python3, then the PATH's, when RECUR_PYTHON is unset", () => {
      expect(pythonCandidates({})).toEqual(['/usr/bin/python3', 'python3']);
    });

    it('should try only RECUR_PYTHON when it is set', () => {
      expect(pythonCandidates({ RECUR_PYTHON: ' /opt/py/bin/python ' })).toEqual(['/opt/py/bin/python']);
    });
  });

  describe('pytorchEnv', () => {
    it('should put the OpenMP OpenBLAS folder first on LD_LIBRARY_PATH when it exists', () => {
      const env = pytorchEnv({ LD_LIBRARY_PATH: '/a:/b', HOME: '/h' }, (p) => p === OPENBLAS_OPENMP);
      expect(env).toEqual({ LD_LIBRARY_PATH: `${OPENBLAS_OPENMP}:/a:/b`, HOME: '/h' });
    });

    it('should leave LD_LIBRARY_PATH alone when the folder is missing', () => {
      expect(pytorchEnv({ HOME: '/h' }, () => false)).toEqual({ HOME: '/h' });
    });
  });

  describe('parsePytorchAnswer', () => {
    it('should return every record of a complete answer', () => {
      const parsed = parsePytorchAnswer(JSON.stringify(answer()), request);
      expect(parsed.records).toHaveLength(4);
      expect(parsed.matmulGflops).toEqual({ '1': 160, '2': 280 });
    });

    it('should throw BAD_DATA naming what came when stdout is not JSON', () => {
      expect(() => parsePytorchAnswer('Traceback (most recent call last):', request)).toThrow(
        /expected JSON on stdout, got 'Traceback/,
      );
    });

    it('should throw BAD_DATA naming the field that has the wrong type', () => {
      const bad = answer();
      (bad.records[1] as { trainMs: unknown }).trainMs = 'fast';
      const error = (() => {
        try {
          parsePytorchAnswer(JSON.stringify(bad), request);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe('BAD_DATA');
      expect((error as RecurError).message).toMatch(/^PyTorch answer: records\.1\.trainMs: /);
    });

    it('should throw when a workload × thread count was not answered', () => {
      const partial = answer().records.filter((r) => !(r.workload === 'W3' && r.threads === 2));
      expect(() => parsePytorchAnswer(JSON.stringify(answer(partial)), request)).toThrow(
        'expected one record for W3 on 2 thread(s), got 0',
      );
    });
  });

  describe('runPytorch', () => {
    it('should skip with a one-line note naming each python tried when none starts', async () => {
      const enoent = Object.assign(new Error('spawn python3 ENOENT'), { code: 'ENOENT' });
      const missing: ProcessRunner = async () => ({ code: null, stdout: '', stderr: '', error: enoent });
      const outcome = await runPytorch(request, { env: {}, run: missing, exists: () => false });
      expect(outcome).toEqual({
        status: 'skipped',
        note:
          'PyTorch skipped: no python with torch (/usr/bin/python3: not found; python3: not found); ' +
          'set RECUR_PYTHON to a python that has it',
      });
    });

    it('should skip when RECUR_PYTHON names a command that does not exist', async () => {
      const outcome = await runPytorch(request, { env: { RECUR_PYTHON: join(dir, 'no-such-python') } });
      expect(outcome.status).toBe('skipped');
      expect(outcome.status !== 'measured' && outcome.note).toBe(
        `PyTorch skipped: no python with torch (${join(dir, 'no-such-python')}: not found)`,
      );
    });

    it('should say why a python that exists could not start', async () => {
      const python = join(dir, 'not-executable');
      writeFileSync(python, 'print(1)\n');
      const outcome = await runPytorch(request, { env: { RECUR_PYTHON: python } });
      expect(outcome).toEqual({
        status: 'skipped',
        note: `PyTorch skipped: no python with torch (${python}: spawn ${python} EACCES)`,
      });
    });

    it("should skip with python's own error when python has no torch", async () => {
      const python = fakePython(
        'python-without-torch',
        `echo "ModuleNotFoundError: No module named 'torch'" >&2; exit 1`,
      );
      const outcome = await runPytorch(request, { env: { RECUR_PYTHON: python } });
      expect(outcome).toEqual({
        status: 'skipped',
        note: `PyTorch skipped: no python with torch (${python}: ModuleNotFoundError: No module named 'torch')`,
      });
    });

    it('should send the request on stdin with the OpenBLAS path and read the answer from stdout', async () => {
      // The fake python answers the probe, then echoes what it was given into an answer.
      const seen = join(dir, 'seen');
      const python = fakePython(
        'python-with-torch',
        `[ "$1" = "-c" ] && { echo 1.13.0; exit 0; }\ncat > "${seen}.json"\necho "$LD_LIBRARY_PATH" > "${seen}.env"\ncat <<'EOF'\n${JSON.stringify(answer())}\nEOF`,
      );
      const outcome = await runPytorch(request, {
        env: { RECUR_PYTHON: python, PATH: process.env.PATH },
        exists: (p) => p === OPENBLAS_OPENMP,
        script: 'workloads.py',
      });
      expect(outcome.status).toBe('measured');
      expect(outcome.status === 'measured' && outcome.answer).toEqual(answer());
      expect(JSON.parse(readFileSync(`${seen}.json`, 'utf8'))).toEqual(JSON.parse(JSON.stringify(request)));
      expect(readFileSync(`${seen}.env`, 'utf8').trim()).toBe(OPENBLAS_OPENMP);
    });

    it("should fail with the script's last error line when a python with torch breaks", async () => {
      const python = fakePython(
        'python-that-breaks',
        `[ "$1" = "-c" ] && { echo 1.13.0; exit 0; }\necho "Traceback ..." >&2\necho "RuntimeError: out of memory" >&2\nexit 1`,
      );
      const outcome = await runPytorch(request, { env: { RECUR_PYTHON: python }, script: 'workloads.py' });
      expect(outcome).toEqual({
        status: 'failed',
        note: `PyTorch run failed (${python}): RuntimeError: out of memory`,
      });
    });

    it('should reject a request without thread counts', async () => {
      await expect(runPytorch({ ...request, threads: [] }, { env: {} })).rejects.toThrow(
        'request.threads: expected at least one thread count, got none',
      );
    });
  });
});
