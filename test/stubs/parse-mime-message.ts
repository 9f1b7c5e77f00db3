/**
 * Just enough RFC 5322 / MIME parsing to assert what nodemailer sent: unfolded headers, RFC 2047 encoded
 * words, multipart bodies and the quoted-printable / base64 transfer encodings. (mailparser does not
 * install here, and tests need only this much.) Charsets other than UTF-8 and US-ASCII are not handled.
 */

export interface MimeHeaders {
  /** The first value of a header, by lower-case name, unfolded but not decoded. */
  get(name: string): string | undefined;
  all(name: string): string[];
}

export interface ParsedMimeMessage {
  headers: MimeHeaders;
  /** Decoded Subject (encoded words resolved). */
  subject: string | undefined;
  messageId: string | undefined;
  /** Decoded text/plain and text/html bodies, searched through nested multiparts. */
  text: string | undefined;
  html: string | undefined;
}

function splitHeadAndBody(raw: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (match === null) return { head: raw, body: '' };
  return { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

export function parseHeaders(head: string): MimeHeaders {
  const map = new Map<string, string[]>();
  const unfolded = head.replace(/\r?\n(?=[ \t])/g, '');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    map.set(name, [...(map.get(name) ?? []), value]);
  }
  return {
    get: (name) => map.get(name.toLowerCase())?.[0],
    all: (name) => map.get(name.toLowerCase()) ?? [],
  };
}

function decodeQuotedPrintableBytes(text: string, underscoreIsSpace: boolean): Buffer {
  const source = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index] ?? '';
    const hex = source.slice(index + 1, index + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else if (char === '_' && underscoreIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** Resolves RFC 2047 encoded words; whitespace between two adjacent encoded words is dropped. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintableBytes(data, true).toString('utf8'),
    );
}

function parameter(headerValue: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}=("([^"]*)"|[^;\\s]+)`, 'i').exec(headerValue);
  return match === null ? undefined : (match[2] ?? match[1]);
}

function decodeBody(body: string, transferEncoding: string | undefined): string {
  switch (transferEncoding?.toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintableBytes(body, false).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

interface Bodies {
  text: string | undefined;
  html: string | undefined;
}

function collectBodies(headers: MimeHeaders, body: string, found: Bodies): void {
  const contentType = headers.get('content-type') ?? 'text/plain';
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType.startsWith('multipart/')) {
    const boundary = parameter(contentType, 'boundary');
    if (boundary === undefined) return;
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      const { head, body: partBody } = splitHeadAndBody(part.replace(/^\r?\n/, ''));
      collectBodies(parseHeaders(head), partBody.replace(/\r?\n$/, ''), found);
    }
    return;
  }
  const decoded = decodeBody(body, headers.get('content-transfer-encoding'));
  if (mediaType === 'text/plain' && found.text === undefined) found.text = decoded;
  if (mediaType === 'text/html' && found.html === undefined) found.html = decoded;
}

export function parseMimeMessage(raw: string): ParsedMimeMessage {
  const { head, body } = splitHeadAndBody(raw);
  const headers = parseHeaders(head);
  const found: Bodies = { text: undefined, html: undefined };
  collectBodies(headers, body, found);
  const subject = headers.get('subject');
  return {
    headers,
    subject: subject === undefined ? undefined : decodeEncodedWords(subject),
    messageId: headers.get('message-id'),
    text: found.text?.replace(/\r\n/g, '\n'),
    html: found.html?.replace(/\r\n/g, '\n'),
  };
}
