import { EXIT, interruptedError } from './errors.js';

export interface Interrupt {
  /** True once Ctrl-C (SIGINT) or SIGTERM arrived. */
  readonly requested: boolean;
  /**
   * Runs `save` (an atomic write: temporary file, then rename) so that a second Ctrl-C
   * during it waits for the rename, then quits.
   */
  guard<T>(save: () => Promise<T>): Promise<T>;
  /** Removes the handlers. */
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Ctrl-C (or SIGTERM) asks the command to stop at the next safe point: training after the
 * current step, with a final checkpoint; evaluation and generation between batches. The
 * handler then steps aside, so a second Ctrl-C ends the process at once with the
 * default action, even inside a long synchronous computation that never gives a handler
 * a turn. Only during a save does a handler stay: there the second Ctrl-C waits for the
 * rename (the file on disk is always a complete one), then quits with exit code 130.
 */
export function onInterrupt(notify: (line: string) => void, cleanUp: () => Promise<void>): Interrupt {
  let requested = false;
  let saving = 0;
  let quitAfterSave = false;
  const first = () => {
    if (requested) {
      // A second signal that reached the handler (both arrived within one long step).
      if (saving > 0) quitAfterSave = true;
      else void cleanUp().finally(() => process.exit(EXIT.interrupted));
      return;
    }
    requested = true;
    notify('interrupted: stopping at the next safe point (Ctrl-C again to quit now)');
    if (saving === 0) detach();
  };
  const attach = () => {
    for (const s of SIGNALS) process.on(s, first);
  };
  const detach = () => {
    for (const s of SIGNALS) process.off(s, first);
  };
  attach();
  return {
    get requested() {
      return requested;
    },
    async guard(save) {
      if (saving++ === 0 && requested) attach();
      try {
        return await save();
      } finally {
        if (--saving === 0) {
          if (quitAfterSave) {
            await cleanUp();
            process.exit(EXIT.interrupted);
          }
          if (requested) detach();
        }
      }
    },
    dispose: detach,
  };
}

/**
 * Runs `work`, one long synchronous call with nothing to save (a beam search), with the
 * default action for Ctrl-C: no handler could run before it returns, so Ctrl-C ends the
 * process at once instead of waiting for it.
 */
export function atOnceOnInterrupt<T>(work: () => T): T {
  const saved = SIGNALS.map((s) => [s, process.listeners(s)] as const);
  for (const [s, listeners] of saved) for (const l of listeners) process.off(s, l);
  try {
    return work();
  } finally {
    for (const [s, listeners] of saved) for (const l of listeners) process.on(s, l);
  }
}

/**
 * Gives pending signal handlers a turn (a synchronous loop never lets them run), then
 * stops the command if Ctrl-C arrived: long evaluation and generation loops call it
 * between batches.
 */
export async function betweenBatches(stopped: (() => boolean) | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (stopped?.() === true) throw interruptedError();
}
