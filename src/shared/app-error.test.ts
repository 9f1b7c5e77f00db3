import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './app-error.ts';

const socketError = (code: string, syscall: string) =>
  Object.assign(new Error(`${syscall} ${code} /data/.s.PGSQL.5432`), { code, syscall });

describe('isDatabaseUnavailable', () => {
  it('when the server refuses over TCP or its Unix socket is gone, then the database counts as unavailable', () => {
    expect(isDatabaseUnavailable(socketError('ECONNREFUSED', 'connect'))).toBe(true);
    expect(isDatabaseUnavailable(socketError('ENOENT', 'connect'))).toBe(true);
  });

  it('when a file is missing outside a connection attempt, then it is not taken for a database outage', () => {
    expect(isDatabaseUnavailable(socketError('ENOENT', 'open'))).toBe(false);
  });

  it('when Postgres rejects a statement, then it is not an outage', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
  });
});
