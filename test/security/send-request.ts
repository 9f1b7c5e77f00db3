import { request } from 'node:http';

export interface SentResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  text: string;
}

export interface RequestOptions {
  method?: string;
  /** Sent exactly as given (no URL normalisation), so tests can probe `//`, `%61`, `..` and `;` paths. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

/**
 * One HTTP request over node:http to a loopback base URL. A `text/event-stream` answer resolves as soon as its
 * headers arrive (the stream would never end) and the connection is dropped.
 */
export function sendRequest(baseUrl: string, options: RequestOptions): Promise<SentResponse> {
  const base = new URL(baseUrl);
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: base.hostname,
        port: base.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers },
        agent: false,
      },
      (response) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const status = response.statusCode ?? 0;
        if ((headers['content-type'] ?? '').startsWith('text/event-stream')) {
          response.destroy();
          resolve({ status, headers, text: '' });
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status, headers, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.setTimeout(options.timeoutMs ?? 15_000, () =>
      outgoing.destroy(new Error(`no answer to ${options.method ?? 'GET'} ${options.path} in time`)),
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** What RFC 9457 and SPEC.md ask of an error answer; an empty list when the answer is right. */
export function problemDetailsViolations(response: SentResponse, options: { hasBody?: boolean } = {}): string[] {
  const violations: string[] = [];
  const type = response.headers['content-type'] ?? '';
  if (!/^application\/problem\+json\b/.test(type)) violations.push(`content-type is "${type}", not application/problem+json`);
  if (options.hasBody === false) return violations;
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    violations.push(`body is not JSON: ${JSON.stringify(response.text.slice(0, 120))}`);
    return violations;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [...violations, 'body is not a JSON object'];
  const problem = body as Record<string, unknown>;
  for (const field of ['type', 'title', 'detail'] as const) {
    if (typeof problem[field] !== 'string' || problem[field] === '') violations.push(`${field} is missing or not a string`);
  }
  if (problem['status'] !== response.status)
    violations.push(`status field is ${JSON.stringify(problem['status'])}, HTTP status is ${response.status}`);
  if (response.status === 400) {
    const errors = problem['errors'];
    if (!Array.isArray(errors) || errors.length === 0) violations.push('a 400 has no errors[]');
    else if (
      !errors.every((error) => typeof error === 'object' && error !== null && typeof (error as { path?: unknown }).path === 'string')
    ) {
      violations.push('an errors[] entry has no string path');
    }
  }
  return violations;
}
