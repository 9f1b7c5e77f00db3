/**
 * Slack parses `<...>` as links and mentions (`<!channel>`, `<!here>`, `<@U123>`, `<#C123>`), so user text
 * must have `&`, `<` and `>` escaped; that is the escaping Slack documents and the only one it needs.
 *
 * Bare `@channel`, `@here` and `@everyone` are also turned into mentions when a message is sent with
 * `link_names` or `parse: full`; a zero-width space after the `@` keeps them plain text whatever the flags.
 * The lookbehind leaves addresses such as `ops@here.example` alone, so copied emails still work.
 */
const BROADCAST_MENTION = /(?<![\w.+-])@(channel|here|everyone)\b/gi;

export function escapeSlackText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(BROADCAST_MENTION, '@\u200b$1');
}

/** A URL inside `<url|label>`: `|` would end the URL early and `>` would end the link. */
export function escapeSlackUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
}

export function slackLink(url: string, label: string): string {
  return `<${escapeSlackUrl(url)}|${escapeSlackText(label)}>`;
}

/** Slack renders `<!date^...>` in each reader's own time zone; the fallback is for clients that cannot. */
export function slackDate(date: Date, fallback: string): string {
  const seconds = Math.floor(date.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${escapeSlackText(fallback)}>`;
}
