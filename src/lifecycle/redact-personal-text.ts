import { escapeHtml } from '../channels/escape-html.ts';
import { MAX_NAME_CHARS, singleLine, truncate } from '../channels/notice-text.ts';

/** What replaces a person's name, email or phone in a text that is kept (an alert, a digest, an error). */
export const ERASED_MARKER = '[erased]';

/** Shorter values are not searched for: a two-letter name would match inside ordinary words. */
const MIN_NEEDLE_LENGTH = 3;

/**
 * The strings that identify one person in texts that are not theirs alone (digests, alert texts, delivery
 * errors): the name, the email and the phone; the name also as alerts and digests print it (on one line,
 * cut at MAX_NAME_CHARS); each also as HTML writes it (a digest's HTML escapes `&`, `<`, `'`…). Longest
 * first, so "Ada Lovelace" is replaced before a shorter value inside it could be.
 */
export function personalNeedles(person: { name: string | null; email: string | null; phone: string | null }): string[] {
  const printedName = person.name === null ? null : truncate(singleLine(person.name), MAX_NAME_CHARS);
  const values = [person.name, printedName, person.email, person.phone]
    .map((value) => value?.trim() ?? '')
    .filter((value) => value.length >= MIN_NEEDLE_LENGTH);
  const withHtml = values.flatMap((value) => [value, escapeHtml(value)]);
  return [...new Set(withHtml)].sort((a, b) => b.length - a.length);
}

/** Whether `text` holds any of the needles, ignoring case. */
export function containsNeedle(text: string, needles: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return needles.some((needle) => lower.includes(needle.toLowerCase()));
}

/** `text` with every needle (any case) replaced by the marker. */
export function redactText(text: string, needles: readonly string[]): string {
  let result = text;
  for (const needle of needles) result = result.replace(new RegExp(escapeRegExp(needle), 'giu'), ERASED_MARKER);
  return result;
}

/** A JSON value with every string (and key) that holds a needle redacted; numbers, booleans and nulls stay. */
export function redactJson(value: unknown, needles: readonly string[]): unknown {
  if (typeof value === 'string') return containsNeedle(value, needles) ? redactText(value, needles) : value;
  if (Array.isArray(value)) return value.map((item) => redactJson(item, needles));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redactText(key, needles), redactJson(item, needles)]));
  }
  return value;
}

/** Patterns for `ILIKE ANY(…)`: each needle as a literal substring (`%`, `_` and `\` escaped). */
export function likePatterns(needles: readonly string[]): string[] {
  return needles.map((needle) => `%${needle.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
