// Text the database cannot store, refused once at the edge for every route: a NUL byte (PostgreSQL's text and
// jsonb refuse it) or an unpaired UTF-16 surrogate (not encodable as UTF-8). Keys are checked as well as values.
import type { FastifyRequest } from 'fastify';
import { errors, humanize } from './errors.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** A value still to look at, and how it was reached (parent links: copying paths would be quadratic in depth). */
interface Visit {
  value: unknown;
  key: string | undefined;
  parent: Visit | undefined;
}

function pathOf(visit: Visit): string[] {
  const path: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The path of the first string in `value` (or key of one of its objects) that is not storable, or undefined. A bad
 * key is reported at the object holding it, so that the answer never echoes the key itself. Walked with an
 * explicit stack: a deeply nested JSON body must not overflow the call stack.
 */
export function findUnstorableText(value: unknown): string[] | undefined {
  const stack: Visit[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const current = visit.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return pathOf(visit);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], key: String(i), parent: visit });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      if (entries.some(([key]) => !isStorableText(key))) return pathOf(visit);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], key: entries[i]![0], parent: visit });
    }
  }
  return undefined;
}

const PARTS = [
  ['params', 'Path'],
  ['query', 'Query string'],
  ['body', 'Request body'],
] as const;

/** The field as the validation messages name it (`notes.k` -> `Notes k`), or the request part for a top-level key. */
export function unstorableTextError(path: readonly string[], part: string) {
  return errors.unstorableText(path.length > 0 ? humanize(path.join(' ')) : part);
}

/** A preValidation hook for every route: 400 VALIDATION_FAILED for unstorable text in the path, query or body. */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  for (const [part, subject] of PARTS) {
    const path = findUnstorableText(request[part]);
    if (path) throw unstorableTextError(path, subject);
  }
}
