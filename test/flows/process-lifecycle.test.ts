import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { childProcessEnv } from '../helpers/child-process-env.ts';
import { spawnLeadline, type SpawnedLeadline } from '../helpers/spawn-leadline.ts';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { sendRequest } from '../security/send-request.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

function track(child: SpawnedLeadline): SpawnedLeadline {
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await child.exited;
  });
  return child;
}

describe('the process', () => {
  it('when started with no DATABASE_URL, then the embedded PostgreSQL comes up, /health answers 200, a lead is accepted, and the generated admin key is printed and kept', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'leadline-first-run-'));
    await chmod(home, 0o755);
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    const child = track(await spawnLeadline({ DATABASE_URL: '', ADMIN_API_KEY: '', NODE_ENV: 'development', LEADLINE_HOME: home }, 60_000));

    const health = await fetch(`${child.url}/health`);
    expect(health.status).toBe(200);
    const lead = await fetch(`${child.url}/api/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'First Run', email: 'first@example.com' }),
    });
    expect(lead.status).toBe(201);

    // The embedded superuser has a password of its own, readable by the owner only.
    const password = (await readFile(path.join(home, 'postgres-password'), 'utf8')).trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(password).not.toBe('leadline');
    expect((await stat(path.join(home, 'postgres-password'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(home, 'database-url'))).mode & 0o777).toBe(0o600);
    expect(child.output()).not.toContain(password);

    const key = (await readFile(path.join(home, 'admin-api-key'), 'utf8')).trim();
    expect(child.output()).toContain(`Admin key  ${key}`);
    expect(child.output()).toContain(`${child.url}/admin`);
    const admin = await fetch(`${child.url}/api/admin/failed`, { headers: { authorization: `Bearer ${key}` } });
    expect(admin.status).toBe(200);

    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 90_000);

  it('when SIGTERM arrives during a stream of requests, then every accepted request is stored and the process exits 0 within 10 s', async () => {
    const db: TestDatabase = await createTestDatabase('sigterm');
    cleanups.push(() => db.drop());
    const child = track(await spawnLeadline({ DATABASE_URL: db.url, RATE_LIMIT_PER_MINUTE: '1000000' }));

    // Every request the clients send ends in one outcome. A new connection per request (no keep-alive), so a
    // request is never lost to an idle socket the server closes while it shuts down.
    type Outcome = { client: number; index: number; at: number } & (
      { kind: 'answered'; status: number; id?: string } | { kind: 'failed'; code: string }
    );
    const outcomes: Outcome[] = [];
    let sent = 0;
    const clients = Array.from({ length: 8 }, async (_, client) => {
      // Each client runs until its own connection is refused: the server stopped listening.
      for (;;) {
        const index = sent++;
        try {
          const response = await sendRequest(child.url!, {
            method: 'POST',
            path: '/api/leads',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `Stream ${client}-${index}`, email: `stream${index}@example.com` }),
          });
          const id = response.status === 201 ? (JSON.parse(response.text) as { id: string }).id : undefined;
          outcomes.push({ client, index, at: Date.now(), kind: 'answered', status: response.status, ...(id ? { id } : {}) });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          outcomes.push({ client, index, at: Date.now(), kind: 'failed', code });
          if (code === 'ECONNREFUSED') return;
        }
      }
    });
    const stored = () => outcomes.flatMap((outcome) => (outcome.kind === 'answered' && outcome.status === 201 ? [outcome.id!] : []));

    await waitFor('50 leads stored before the signal', () => stored().length >= 50);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await child.exited;
    const tookMs = Date.now() - signalledAt;
    await Promise.all(clients);

    // Exit 0 means the stop finished before the product's own 9.5 s deadline (past it, it exits 1).
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    // Every request sent is accounted for: stored (201 with an id), refused (503), or its connection refused once
    // the server had closed. One more outcome happens in the moment the server closes: a connection that
    // reached it but whose request it had not read yet is reset (no answer at all, not a 503); allowed only after the
    // signal and only when nothing was stored for it, so no request the client was not told about is kept.
    expect(outcomes).toHaveLength(sent);
    const resetAfterSignal = outcomes.filter(
      (outcome) => outcome.kind === 'failed' && outcome.code === 'ECONNRESET' && outcome.at >= signalledAt,
    );
    const unaccounted = outcomes.filter(
      (outcome) =>
        !(outcome.kind === 'answered' && outcome.status === 201 && outcome.id) &&
        !(outcome.kind === 'answered' && outcome.status === 503) &&
        !(outcome.kind === 'failed' && outcome.code === 'ECONNREFUSED' && outcome.at >= signalledAt) &&
        !resetAfterSignal.includes(outcome),
    );
    expect(unaccounted).toEqual([]);
    const resetEmails = resetAfterSignal.map((outcome) => `stream${outcome.index}@example.com`);
    const { rows: storedForReset } = await db.pool.query('SELECT email FROM conversations WHERE email = ANY($1::text[])', [resetEmails]);
    expect(storedForReset).toEqual([]);
    // The server did close: every client ended on a refused connection, none of them before the signal.
    expect(Array.from({ length: 8 }, (_, client) => outcomes.filter((outcome) => outcome.client === client).at(-1))).toEqual(
      Array.from({ length: 8 }, (_, client) => expect.objectContaining({ client, kind: 'failed', code: 'ECONNREFUSED' })),
    );
    const accepted = stored();
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM conversations WHERE id = ANY($1::uuid[])', [accepted]);
    expect(rows[0].n).toBe(accepted.length);
    const events = await db.pool.query(
      `SELECT count(*)::int AS n FROM lead_events WHERE conversation_id = ANY($1::uuid[]) AND event_type = 'lead.created'`,
      [accepted],
    );
    expect(events.rows[0].n).toBe(accepted.length);
  }, 60_000);

  it('when a second process shares the embedded database and the owner stops, then the second one takes it over and keeps capturing', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'leadline-shared-home-'));
    await chmod(home, 0o755);
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    const env = { DATABASE_URL: '', ADMIN_API_KEY: '', NODE_ENV: 'development', LEADLINE_HOME: home, RATE_LIMIT_PER_MINUTE: '100000' };
    const owner = track(await spawnLeadline(env, 60_000));
    const follower = track(await spawnLeadline(env, 60_000));
    expect(follower.output()).toContain('using the embedded PostgreSQL another Leadline process runs');

    owner.kill('SIGTERM');
    expect(await owner.exited).toBe(0);
    await waitFor('the follower to take the database over', () => follower.output().includes('this process runs it now'), 30_000);
    expect(existsSync(path.join(home, 'postgres', 'postmaster.pid'))).toBe(true);
    const lead = await fetch(`${follower.url}/api/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'After Takeover', email: 'after@example.com' }),
    });
    expect(lead.status).toBe(201);

    follower.kill('SIGTERM');
    expect(await follower.exited).toBe(0);
    expect(existsSync(path.join(home, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it('when DIGEST_CRON is bad, then even ROLE=api stops at start-up with one line naming it, before touching a database', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: childProcessEnv({
        PATH: process.env['PATH'] ?? '',
        ROLE: 'api',
        DIGEST_CRON: 'every morning',
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        ADMIN_API_KEY: 'an-admin-key-0123456789',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^leadline: DIGEST_CRON: "every morning" is not a cron expression/)]);
  });
});
