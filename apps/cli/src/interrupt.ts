import { EXIT } from './errors.js';

export interface Interrupt {
  /** True once Ctrl-C (SIGINT) or SIGTERM arrived. */
  readonly requested: boolean;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Ctrl-C during training asks training to stop after the current step; `fit` then writes
 * its final checkpoint through the atomic save (temporary file, then rename), so the
 * model file on disk is always a complete one. A second Ctrl-C quits at once, after
 * `cleanUp` has removed any temporary file a save in progress had begun.
 */
export function onInterrupt(notify: (line: string) => void, cleanUp: () => Promise<void>): Interrupt {
  let requested = false;
  const handler = () => {
    if (!requested) {
      requested = true;
      notify('interrupted: stopping after this step and saving the checkpoint (Ctrl-C again to quit now)');
      return;
    }
    void cleanUp().finally(() => process.exit(EXIT.interrupted));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get requested() {
      return requested;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
