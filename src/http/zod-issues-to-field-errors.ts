import type { z } from 'zod';
import type { FieldError } from '../shared/app-error.ts';

/** Zod issues as `{path, message}` with dotted paths; an unknown key is reported at its own path. */
export function zodIssuesToFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: base ? `${base}.${key}` : key, message: 'is not an allowed field' }));
    }
    if (issue.code === 'invalid_type' && issue.path.length === 0) {
      return [{ path: '', message: 'the body must be a JSON object' }];
    }
    return [{ path: base, message: issue.message }];
  });
}
