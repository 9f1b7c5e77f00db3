/**
 * Telegram's HTML parse mode, re-implemented after TDLib's `parse_html` (td/telegram/MessageEntity.cpp), which
 * the Bot API runs on `parse_mode: 'HTML'`. It accepts and rejects what Telegram does, with the same error
 * texts and UTF-8 byte offsets, so a formatter that would get "can't parse entities" in production gets it in
 * tests too. Only the rules that decide success or failure are kept; entity offsets are not computed.
 *
 * Rules: `<` always starts a tag; the tag name runs to the first space or `>` and must be a supported tag;
 * every start tag needs a matching end tag (`</>` closes the innermost one); `&` starts an entity only when it
 * is `&lt;`, `&gt;`, `&amp;`, `&quot;` or a numeric reference (the `;` is optional), otherwise it is a literal
 * `&`; a raw `>` is literal text.
 */

const SUPPORTED_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
]);

export type TelegramHtmlResult = { ok: true; text: string } | { ok: false; error: string };

const isSpace = (char: string | undefined): boolean =>
  char === ' ' || char === '\t' || char === '\r' || char === '\n' || char === '\0' || char === '\v' || char === '\f';
const isAlpha = (char: string | undefined): boolean => char !== undefined && /^[A-Za-z]$/.test(char);
const isDigit = (char: string | undefined): boolean => char !== undefined && /^[0-9]$/.test(char);
const isHex = (char: string | undefined): boolean => char !== undefined && /^[0-9A-Fa-f]$/.test(char);

/** Decodes the entity at `pos`; returns the character and the position after it, or null for a literal `&`. */
function decodeEntity(text: string, pos: number): { char: string; end: number } | null {
  let end = pos + 1;
  let code = 0;
  if (text[pos + 1] === '#') {
    end += 1;
    const hex = text[pos + 2] === 'x';
    if (hex) end += 1;
    while (hex ? isHex(text[end]) : isDigit(text[end])) {
      code = code * (hex ? 16 : 10) + Number.parseInt(text[end] ?? '0', hex ? 16 : 10);
      end += 1;
      if (code >= 0x10ffff) return null;
    }
    if (code === 0 || (code >= 0xd800 && code <= 0xdfff)) return null;
  } else {
    while (isAlpha(text[end])) end += 1;
    const name = text.slice(pos + 1, end);
    const named: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
    const value = named[name];
    if (value === undefined) return null;
    code = value;
  }
  if (text[end] === ';') end += 1;
  return { char: String.fromCodePoint(code), end };
}

export function parseTelegramHtml(html: string): TelegramHtmlResult {
  const byteOffset = (index: number): number => Buffer.byteLength(html.slice(0, index), 'utf8');
  const fail = (error: string): TelegramHtmlResult => ({ ok: false, error });
  const open: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const char = html[i];
    if (char === '&') {
      const entity = decodeEntity(html, i);
      if (entity !== null) {
        text += entity.char;
        i = entity.end;
        continue;
      }
    }
    if (char !== '<') {
      text += char;
      i += 1;
      continue;
    }
    const begin = i;
    i += 1;
    if (html[i] !== '/') {
      while (i < html.length && !isSpace(html[i]) && html[i] !== '>') i += 1;
      if (i >= html.length) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      const tag = html.slice(begin + 1, i).toLowerCase();
      if (!SUPPORTED_TAGS.has(tag)) return fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(begin)}`);
      let spanClass = '';
      while (html[i] !== '>') {
        while (i < html.length && isSpace(html[i])) i += 1;
        if (i >= html.length) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        if (html[i] === '>') break;
        const nameStart = i;
        while (i < html.length && !isSpace(html[i]) && html[i] !== '=' && html[i] !== '>') i += 1;
        const attribute = html.slice(nameStart, i).toLowerCase();
        if (attribute === '') return fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(begin)}`);
        while (i < html.length && isSpace(html[i])) i += 1;
        if (html[i] !== '=') {
          if (tag === 'blockquote' && attribute === 'expandable') continue;
          return fail(`Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${byteOffset(begin)}`);
        }
        i += 1;
        while (i < html.length && isSpace(html[i])) i += 1;
        if (i >= html.length) return fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);
        let value = '';
        const quote = html[i];
        if (quote !== '"' && quote !== "'") {
          const tokenStart = i;
          while (i < html.length && /^[A-Za-z0-9.-]$/.test(html[i] ?? '')) i += 1;
          value = html.slice(tokenStart, i).toLowerCase();
          if (!isSpace(html[i]) && html[i] !== '>') return fail(`Unexpected end of name token at byte offset ${byteOffset(tokenStart)}`);
        } else {
          i += 1;
          while (i < html.length && html[i] !== quote) {
            const entity = html[i] === '&' ? decodeEntity(html, i) : null;
            if (entity !== null) {
              value += entity.char;
              i = entity.end;
            } else {
              value += html[i];
              i += 1;
            }
          }
          if (html[i] === quote) i += 1;
        }
        if (i >= html.length) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        if (tag === 'span' && attribute === 'class') spanClass = value;
      }
      if (tag === 'span' && spanClass !== 'tg-spoiler') {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
      }
      open.push(tag);
      i += 1;
    } else {
      if (open.length === 0) return fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      while (i < html.length && !isSpace(html[i]) && html[i] !== '>') i += 1;
      const endTag = html.slice(begin + 2, i).toLowerCase();
      while (i < html.length && isSpace(html[i])) i += 1;
      if (html[i] !== '>') return fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      const expected = open.pop() ?? '';
      if (endTag !== '' && endTag !== expected) {
        return fail(`Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${expected}>", found "</${endTag}>"`);
      }
      i += 1;
    }
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) return fail(`Can't find end tag corresponding to start tag "${unclosed}"`);
  return { ok: true, text };
}
