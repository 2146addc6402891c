/**
 * Which thread pool serves which live tfjs backend object. A plug-in's kernels are
 * registered once for every backend of its name; each backend object gets the pool its
 * plug-in asked for, and the pool goes when tfjs disposes the backend (`tf.removeBackend`,
 * an engine reset) or another pool replaces it.
 */

/** What a pool must offer the registry. */
export interface StoppablePool {
  /** Ends the pool's workers; resolves once they have exited. */
  dispose(): Promise<void>;
}

export class BackendPools<P extends StoppablePool> {
  private readonly pools = new WeakMap<object, P>();
  private readonly hooked = new WeakSet<object>();

  /** The pool of `backend`, if it has one. */
  get(backend: object): P | undefined {
    return this.pools.get(backend);
  }

  /** Disposes `backend`'s pool, if any; resolves once its workers have exited. */
  stop(backend: object): Promise<void> {
    const pool = this.pools.get(backend);
    this.pools.delete(backend);
    return pool?.dispose() ?? Promise.resolve();
  }

  /** Gives `backend` the pool `pool` (after stopping any it had), disposed with the backend. */
  set(backend: object, pool: P): void {
    void this.stop(backend);
    this.pools.set(backend, pool);
    this.hookDispose(backend);
  }

  private hookDispose(backend: object): void {
    if (this.hooked.has(backend)) return;
    this.hooked.add(backend);
    const target = backend as { dispose?: () => void };
    const dispose = target.dispose?.bind(backend);
    target.dispose = () => {
      // tfjs' dispose is synchronous: the workers are told to stop now and exit soon after.
      void this.stop(backend);
      dispose?.();
    };
  }
}
