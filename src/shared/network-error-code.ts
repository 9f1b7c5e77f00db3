/**
 * A short, secret-free label for an error that happened before any provider response: `timeout`, or the
 * socket error code (`ECONNREFUSED`, `ECONNRESET`, ...) found on the error or along its `cause` chain
 * (fetch wraps the socket error as the cause of a generic `TypeError: fetch failed`).
 */
export function networkErrorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return 'timeout';
    const code: unknown = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = current.cause;
  }
  return 'network_error';
}
