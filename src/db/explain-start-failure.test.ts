import { describe, expect, it } from 'vitest';
import { explainStartFailure } from './explain-start-failure.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('explainStartFailure', () => {
  it('when nothing listens at the database address, then the line names DATABASE_URL and says to start Postgres', () => {
    expect(explainStartFailure(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe(
      'could not use the database in DATABASE_URL (connect ECONNREFUSED 127.0.0.1:1): nothing listens at that host and port: start Postgres, or fix the host and port in DATABASE_URL',
    );
  });

  it('when the Unix socket in DATABASE_URL is not there, then the line says to start Postgres or fix the socket directory', () => {
    expect(explainStartFailure(withCode('connect ENOENT /data/postgres/.s.PGSQL.5432', 'ENOENT'))).toContain(
      'no server socket in that directory: start Postgres',
    );
  });

  it('when Postgres refuses the password, then the line says to fix the user or password', () => {
    expect(explainStartFailure(withCode('password authentication failed for user "app"', '28P01'))).toContain(
      'fix the user or password in DATABASE_URL',
    );
  });

  it('when the code sits on the cause, then it is still found', () => {
    const error = new Error('migration failed', { cause: withCode('database "x" does not exist', '3D000') });
    expect(explainStartFailure(error)).toContain('create it (createdb)');
  });

  it('when the failure is not about the database, then the message is passed on unchanged', () => {
    expect(explainStartFailure(new Error('EADDRINUSE: port 3000 is taken'))).toBe('EADDRINUSE: port 3000 is taken');
  });
});
