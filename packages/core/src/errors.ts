/**
 * Stable error codes. A code never changes meaning once released; messages may be
 * reworded. Callers branch on `code`, people read `message`.
 */
export type RecurErrorCode =
  | 'BAD_CONFIG'
  | 'BAD_DATA'
  | 'SHAPE_MISMATCH'
  | 'BACKEND_UNAVAILABLE'
  | 'CORRUPT_CHECKPOINT'
  | 'CORRUPT_FILE'
  | 'NAN_LOSS'
  | 'MISSING_DEPENDENCY'
  | 'NOT_SUPPORTED';

export const RECUR_ERROR_CODES: readonly RecurErrorCode[] = [
  'BAD_CONFIG',
  'BAD_DATA',
  'SHAPE_MISMATCH',
  'BACKEND_UNAVAILABLE',
  'CORRUPT_CHECKPOINT',
  'CORRUPT_FILE',
  'NAN_LOSS',
  'MISSING_DEPENDENCY',
  'NOT_SUPPORTED',
];

/** The one error class Recur throws on purpose. */
export class RecurError extends Error {
  readonly code: RecurErrorCode;

  constructor(code: RecurErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecurError';
    this.code = code;
  }
}

/** Renders a received value for an error message: short, unambiguous, never throws. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (Array.isArray(value)) {
    const shown = value.slice(0, 8).map(describeValue).join(', ');
    return `[${shown}${value.length > 8 ? ', …' : ''}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  const shape = (value as { shape?: unknown }).shape;
  if (Array.isArray(shape)) return `a tensor of shape [${shape.join(', ')}]`;
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}…` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `RecurError` for an argument that is not what was expected. */
export function badArgument(code: RecurErrorCode, argument: string, expected: string, received: unknown): RecurError {
  return new RecurError(code, `${argument}: expected ${expected}, received ${describeValue(received)}`);
}
