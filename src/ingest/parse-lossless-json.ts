/** The third argument Node 22+ passes to a JSON.parse reviver for primitive values. */
interface ReviverContext {
  source?: string;
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * JSON.parse that keeps integers beyond Number.MAX_SAFE_INTEGER exactly, as their source text. Meta writes
 * lead, page and form ids as JSON numbers of up to 17 digits; plain JSON.parse would round 12345678901234567
 * to 12345678901234568 and we would fetch, store and deduplicate the wrong lead. Safe integers stay numbers
 * (String(n) of a safe integer is exact), so callers still turn ids into text themselves.
 */
export function parseLosslessJson(text: string): unknown {
  const reviver = (_key: string, value: unknown, context?: ReviverContext): unknown => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && INTEGER_TEXT.test(context.source)) {
      return context.source;
    }
    return value;
  };
  // lib.es5's reviver type predates the context argument.
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}
