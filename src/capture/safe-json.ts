import { z } from 'zod';

/** Postgres text cannot hold NUL, and a lone UTF-16 surrogate cannot be encoded as UTF-8. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

const STORABLE_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

export const safeText = (maxLength: number) =>
  z.string().max(maxLength, `must be at most ${maxLength} characters`).refine(isStorableText, STORABLE_MESSAGE);

export const trimmedText = (maxLength: number) =>
  safeText(maxLength)
    .transform((text) => text.trim())
    .pipe(z.string());

/** Optional text where an empty form field means "not given". */
export const optionalText = (maxLength: number) =>
  trimmedText(maxLength)
    .optional()
    .transform((text) => (text === undefined || text === '' ? undefined : text));

const MAX_DEPTH = 5;
const MAX_KEYS = 100;

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Free-form JSON (metadata, custom fields) that Postgres's jsonb will accept: no NUL or lone surrogates in
 * keys or strings, bounded depth and width, finite numbers only.
 */
function checkJson(value: unknown, depth: number, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (!isStorableText(value)) ctx.addIssue({ code: 'custom', path, message: STORABLE_MESSAGE });
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) ctx.addIssue({ code: 'custom', path, message: 'must be a finite number' });
    return;
  }
  if (depth >= MAX_DEPTH) {
    ctx.addIssue({ code: 'custom', path, message: `nesting deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_KEYS) ctx.addIssue({ code: 'custom', path, message: `more than ${MAX_KEYS} items` });
    value.forEach((item, index) => checkJson(item, depth + 1, [...path, index], ctx));
    return;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > MAX_KEYS) ctx.addIssue({ code: 'custom', path, message: `more than ${MAX_KEYS} keys` });
    for (const key of keys) {
      if (!isStorableText(key) || key === '__proto__') {
        ctx.addIssue({ code: 'custom', path: [...path, key], message: 'is not an allowed key' });
        continue;
      }
      checkJson((value as Record<string, unknown>)[key], depth + 1, [...path, key], ctx);
    }
    return;
  }
  ctx.addIssue({ code: 'custom', path, message: 'is not JSON' });
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON object of free-form data (metadata, custom fields). Checked on the raw parsed input: copying it
 * first (as a record schema does) would silently turn an own `__proto__` key into a prototype.
 */
export const jsonObject = z
  .custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object')
  .superRefine((value, ctx) => checkJson(value, 0, [], ctx))
  .transform((value) => value as { [key: string]: JsonValue })
  // What the OpenAPI document shows for it (a custom check has no JSON Schema of its own).
  .meta({
    type: 'object',
    additionalProperties: true,
    description: `free-form JSON: at most ${MAX_DEPTH} levels deep and ${MAX_KEYS} keys or items per level`,
  });
