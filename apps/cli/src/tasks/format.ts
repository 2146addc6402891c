import { relative } from 'node:path';

/** 986791 → '986,791'. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A number with `digits` decimals (NaN and ±∞ spelled out). */
export function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/** 0.9731 → '97.31%'. */
export function percent(x: number, digits = 2): string {
  return `${fixed(100 * x, digits)}%`;
}

/** Seconds as m:ss (or h:mm:ss). */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 18234.5 → '18.2k'. */
export function rate(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

/** `path` relative to `cwd` when it lies inside it, else as it is. */
export function shortPath(path: string, cwd: string): string {
  const r = relative(cwd, path);
  return r === '' || r.startsWith('..') ? path : r;
}
