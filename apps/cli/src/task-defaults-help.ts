import { TASK_NAMES } from './settings.js';
import { TASKS } from './tasks/tasks.js';
import type { TrainFlags } from './train-flags.js';

/**
 * Each task's defaults, for the help of `recur train` (whatever task is named): what its
 * own `settings()` fills in when no flag is given, so the help cannot drift from the code.
 */
export function taskDefaultsHelp(): string {
  const lines = TASK_NAMES.map((task) => {
    const defaults = TASKS[task].settings({} as TrainFlags) as Record<string, unknown>;
    const shown = Object.entries(defaults)
      .filter(([, value]) => value !== undefined && typeof value !== 'object')
      .map(([key, value]) => `${key} ${String(value)}`);
    return `  ${task.padEnd(8)}  ${shown.join(', ')}`;
  });
  return `\nDefaults by task (a flag overrides its default):\n${lines.join('\n')}\n`;
}
