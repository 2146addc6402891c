import type { TaskName } from '../settings.js';
import { anomaly } from './anomaly.js';
import { charLm } from './char-lm.js';
import { classify } from './classify.js';
import { forecast } from './forecast.js';
import { g2p } from './g2p.js';
import { tag } from './tag.js';
import type { Task } from './task.js';

export const TASKS: { readonly [T in TaskName]: Task<T> } = {
  'char-lm': charLm,
  classify,
  forecast,
  anomaly,
  g2p,
  tag,
};
