/**
 * Slack parses `<...>` as links and mentions (`<!channel>`, `<!here>`, `<@U123>`, `<#C123>`), so user text
 * must have `&`, `<` and `>` escaped; that is the escaping Slack documents.
 *
 * Bare `@channel`, `@here` and `@everyone` are also turned into mentions when a message is sent with
 * `link_names` or `parse: full`; a zero-width space after the `@` keeps them plain text whatever the flags.
 * The lookbehind leaves addresses such as `ops@here.example` alone, so copied emails still work.
 */
const BROADCAST_MENTION = /(?<![\w.+-])@(channel|here|everyone)\b/gi;

/*
 * Slack's mrkdwn has no escape for its formatting markers: `*bold*`, `_italic_`, `~strike~` and `` `code` ``
 * take effect in any text, and bare URLs, domains and emails become links. In text a lead wrote, each marker
 * is swapped for a look-alike that Slack does not parse, and the dot and colon that make a link are swapped
 * for look-alikes too, so a visitor can neither restyle an alert nor plant a clickable link in it.
 */
const FORMAT_LOOKALIKES: Record<string, string> = { '*': '\u2217', _: '\u02cd', '~': '\u223c', '`': '\u02cb' };
const FORMAT_MARKERS = /[*_~`]/g;
/** A dot between two non-space characters (`example.com`, `a.b@c.de`) and the colon of a scheme (`https:`). */
const LINK_DOT = /(?<=\S)\.(?=\S)/g;
const SCHEME_COLON = /(?<=\b[a-z][a-z0-9+.-]*):(?=\/\/)|(?<=\bmailto):/gi;

export function escapeSlackText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(BROADCAST_MENTION, '@\u200b$1')
    .replace(FORMAT_MARKERS, (marker) => FORMAT_LOOKALIKES[marker] ?? marker)
    .replace(SCHEME_COLON, '\u2236')
    .replace(LINK_DOT, '\u2024');
}

/**
 * Contact details in an inline code span: no formatting and no link inside it, and still exact to copy
 * (an email or an E.164 phone never contains a backtick; one that did would lose it).
 */
export function slackCode(text: string): string {
  const safe = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '');
  return safe === '' ? '' : `\`${safe}\``;
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
