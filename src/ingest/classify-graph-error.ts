/**
 * What to do about a Graph API failure:
 * - `token`: the access token is expired, revoked or lacks a permission. Retrying cannot help; the source
 *   pauses and an operator is told.
 * - `rate_limited`: wait (the provider's estimate when it gives one) and try again.
 * - `transient`: a Meta-side or network hiccup; retry with backoff.
 * - `permanent`: this request will never work (e.g. the lead does not exist); give up on this item only.
 */
export type GraphErrorKind = 'token' | 'rate_limited' | 'transient' | 'permanent';

export class GraphError extends Error {
  override name = 'GraphError';
  readonly kind: GraphErrorKind;
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: GraphErrorKind,
    message: string,
    options: { code?: number; subcode?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.code = options.code;
    this.subcode = options.subcode;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** App (4), user (17), page (32), API-specific (613) and business use case (80000-80014; 80005 is lead ads) limits. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
const isBusinessUseCaseLimit = (code: number) => code >= 80_000 && code <= 80_014;

/** 190 invalid/expired token, 102 session, 10 and 200-299 missing permissions: only a person can fix these. */
const isTokenProblem = (code: number) => code === 190 || code === 102 || code === 10 || (code >= 200 && code <= 299);

interface GraphErrorBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  error_subcode?: unknown;
  is_transient?: unknown;
  fbtrace_id?: unknown;
}

/**
 * Meta's `X-Business-Use-Case-Usage` header says, per business, how many minutes until access returns
 * (`estimated_time_to_regain_access`). The longest one is the wait.
 */
export function retryAfterFromUsageHeader(header: string | null): number | undefined {
  if (!header) return undefined;
  try {
    const usage = JSON.parse(header) as Record<string, { estimated_time_to_regain_access?: unknown }[]>;
    const minutes = Object.values(usage)
      .flat()
      .map((entry) => entry.estimated_time_to_regain_access)
      .filter((value): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0);
    return minutes.length > 0 ? Math.max(...minutes) * 60 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns a Graph API error response into a GraphError. The message carries Meta's code, subcode, a short
 * excerpt of its message and the fbtrace_id (what Meta support asks for), never the request URL (it holds
 * the token).
 */
export function classifyGraphError(
  status: number,
  body: unknown,
  headers: { get(name: string): string | null },
  accessToken?: string,
): GraphError {
  const error = (typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined) as GraphErrorBody | undefined;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : undefined;
  let text = typeof error?.message === 'string' ? error.message.slice(0, 200) : `HTTP ${status}`;
  if (accessToken) text = text.split(accessToken).join('[redacted]');
  const trace = typeof error?.fbtrace_id === 'string' ? ` (fbtrace_id ${error.fbtrace_id.slice(0, 64)})` : '';
  const label = code === undefined ? `Graph API HTTP ${status}` : `Graph API error ${code}${subcode === undefined ? '' : `/${subcode}`}`;
  const message = `${label}: ${text}${trace}`;
  const options = { ...(code === undefined ? {} : { code }), ...(subcode === undefined ? {} : { subcode }) };

  // Rate limits first: codes 4, 17 and 80005 come with type OAuthException too.
  if ((code !== undefined && (RATE_LIMIT_CODES.has(code) || isBusinessUseCaseLimit(code))) || status === 429) {
    const retryAfterSeconds = retryAfterFromUsageHeader(headers.get('x-business-use-case-usage'));
    return new GraphError('rate_limited', message, { ...options, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
  }
  if (code !== undefined && isTokenProblem(code)) return new GraphError('token', message, options);
  if (error?.is_transient === true || code === 1 || code === 2 || status >= 500 || error === undefined)
    return new GraphError('transient', message, options);
  return new GraphError('permanent', message, options);
}
