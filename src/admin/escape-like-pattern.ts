/**
 * Makes user text match literally inside a LIKE/ILIKE pattern: `%`, `_` and the escape character itself lose
 * their meaning. Postgres's default LIKE escape character is the backslash, and the queries also say
 * `ESCAPE '\'` so the intent is visible where the pattern is used.
 */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
