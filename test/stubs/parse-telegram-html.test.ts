import { describe, expect, it } from 'vitest';
import { parseTelegramHtml } from './parse-telegram-html.ts';

describe("parseTelegramHtml (the Telegram stub's HTML parse mode)", () => {
  it.each([
    ['<b>_*[ & @channel <!here>', `Unsupported start tag "!here" at byte offset 18`],
    ['<b>_*[', `Can't find end tag corresponding to start tag "b"`],
    ['a < b', 'Unsupported start tag "" at byte offset 2'],
    ['line<br>break', 'Unsupported start tag "br" at byte offset 4'],
    ['</b>', 'Unexpected end tag at byte offset 0'],
    ['<b>x</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ['é <', 'Unclosed start tag at byte offset 3'],
    ['<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
  ])('when the HTML is %j, then it is refused with %j', (html, error) => {
    expect(parseTelegramHtml(html)).toEqual({ ok: false, error });
  });

  it('when the HTML uses supported tags, entities and a literal ampersand, then the text comes back decoded', () => {
    const html =
      '<b>Hi</b> <a href="http://x/?a=1&amp;b=2">link</a> &lt;&gt;&amp;&quot;&#39;&#x41; & 1 > 0 <blockquote expandable>q</blockquote>';

    expect(parseTelegramHtml(html)).toEqual({ ok: true, text: `Hi link <>&"'A & 1 > 0 q` });
  });
});
