/** What to do next when start-up could not use the database, by the error's code (socket or Postgres SQLSTATE). */
const NEXT_STEP: Record<string, string> = {
  ECONNREFUSED: 'nothing listens at that host and port: start Postgres, or fix the host and port in DATABASE_URL',
  // Connecting to a Unix socket (`?host=/dir`) that is not there.
  ENOENT: 'no server socket in that directory: start Postgres, or fix the socket directory (host) in DATABASE_URL',
  ENOTFOUND: 'the host name in DATABASE_URL does not resolve: check it',
  EAI_AGAIN: 'the host name in DATABASE_URL could not be resolved right now: check DNS, or use an IP address',
  ETIMEDOUT: 'the database did not answer in time: check the host, the port and any firewall between them',
  ECONNRESET: 'the connection was cut: check the host and port, and whether the server wants TLS (sslmode=require)',
  '28P01': 'the password was refused: fix the user or password in DATABASE_URL',
  '28000': 'the server refused this user or client address (pg_hba.conf): allow it, or use another user',
  '3D000': 'the database named in DATABASE_URL does not exist: create it (createdb) or fix the name',
  '53300': 'the server has no free connections: raise max_connections or lower DATABASE_POOL_SIZE',
};

/**
 * The start-up failure as one line that says what to do. A database problem names DATABASE_URL (never its
 * value, which can hold a password); anything else is passed on as it is.
 */
export function explainStartFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    const step = typeof code === 'string' ? NEXT_STEP[code] : undefined;
    if (step) return `could not use the database in DATABASE_URL (${message}): ${step}`;
    current = current.cause;
  }
  return message;
}
