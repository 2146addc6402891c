import { presetFlags } from './presets.js';
import { TASK_NAMES } from './settings.js';
import { TASKS } from './tasks/tasks.js';
import type { TrainFlags } from './train-flags.js';

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Each task's defaults (`--preset quick`) and its `--preset best` recipe, for the help of
 * `recur train` (whatever task is named): what its own `settings()` fills in when no flag
 * is given, and the flags the preset sets, so the help cannot drift from the code.
 */
export function taskDefaultsHelp(): string {
  const defaults = TASK_NAMES.map((task) => {
    const values = TASKS[task].settings({} as TrainFlags) as Record<string, unknown>;
    const shown = Object.entries(values)
      .filter(([, value]) => value !== undefined && typeof value !== 'object')
      .map(([key, value]) => `${key} ${String(value)}`);
    return `  ${task.padEnd(8)}  ${shown.join(', ')}`;
  });
  const best = TASK_NAMES.map((task) => {
    const shown = Object.entries(presetFlags(task, 'best')).map(([key, value]) =>
      value === true ? flagName(key) : `${flagName(key)} ${String(value)}`,
    );
    return `  ${task.padEnd(8)}  ${shown.join(' ')}`;
  });
  return `\nDefaults by task (--preset quick; a flag overrides its default):\n${defaults.join('\n')}\n\nRecipes by task (--preset best; a flag given overrides the preset's value):\n${best.join('\n')}\n`;
}
