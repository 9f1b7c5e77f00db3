import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCapturedLead } from '../../src/capture/build-captured-lead.ts';
import { spooledLeadCodec } from '../../src/capture/spooled-lead-codec.ts';
import { storeSpooledLeadHonouringErasures } from '../../src/lifecycle/store-spooled-lead-honouring-erasures.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Leadline } from '../../src/main.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { openSpool } from '../../src/spool/open-spool.ts';
import { postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { scanForPersonalData } from './lifecycle-harness.ts';

const execFileAsync = promisify(execFile);
const tag = randomBytes(3).toString('hex');

let db: TestDatabase;
let app: Leadline & { url: string };
let spoolDir: string;

beforeAll(async () => {
  db = await createTestDatabase('erase_script');
  // The app keeps no spool of its own here: the script's spool directory is one this test fills by hand.
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000', SPOOL_DIR: 'off' });
  spoolDir = await mkdtemp(path.join(os.tmpdir(), 'leadline-erase-script-spool-'));
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
  if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function erase(args: string[]): Promise<Run> {
  const env = { PATH: process.env['PATH'] ?? '', DATABASE_URL: db.url, SPOOL_DIR: spoolDir, LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['scripts/erase.ts', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run erase', () => {
  it('when run with --email for a person with two leads, then both are erased with a progress line each and a summary, and a second run finds nothing', async () => {
    const person = { name: `Script Person-${tag}`, email: `script-${tag}@example.test` };
    const first = await postJson(`${app.url}/api/leads`, { ...person, message: 'first request' });
    const second = await postJson(`${app.url}/api/submit-contact`, {
      ...person,
      email: person.email.toUpperCase(),
      message: 'second request',
    });
    const bystander = await postJson(`${app.url}/api/leads`, { name: 'Bystander', email: `bystander-${tag}@example.test` });
    expect([first.status, second.status, bystander.status]).toEqual([201, 201, 201]);

    const run = await erase(['--email', person.email.toUpperCase(), '--actor', 'dpo@example.com']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe(`erase: 2 lead(s) in the database match --email ${person.email}`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^  \\[1/2\\] lead ${first.body.id} \\(api, captured .+\\): erased \\(1 messages, \\d+ timeline rows, 0 raw payloads, \\d+ other texts\\)$`,
      ),
    );
    expect(lines[2]).toMatch(new RegExp(`^  \\[2/2\\] lead ${second.body.id} \\(contact-form, .+\\): erased`));
    expect(lines.at(-1)).toBe('erase: done. 2 erased, 0 already erased, 0 remembered for leads not written yet, 0 other payloads blanked.');

    expect(await scanForPersonalData(db.pool, [person.name, person.email])).toEqual([]);
    const { rows } = await db.pool.query(`SELECT actor, details->>'via' AS via FROM audit_log WHERE action = 'lead.erase' ORDER BY id`);
    expect(rows).toEqual([
      { actor: 'dpo@example.com', via: 'script' },
      { actor: 'dpo@example.com', via: 'script' },
    ]);
    const { rows: kept } = await db.pool.query(`SELECT email FROM conversations WHERE id = $1`, [bystander.body.id]);
    expect(kept).toEqual([{ email: `bystander-${tag}@example.test` }]);

    const repeat = await erase(['--email', person.email]);
    expect(repeat.code).toBe(0);
    expect(repeat.stdout).toContain('erase: 0 lead(s) in the database match');
    expect(repeat.stdout).toContain('nothing held matches. Check the spelling');
    const byId = await erase(['--id', first.body.id]);
    expect(byId.stdout).toMatch(/: already erased on \d{4}-/);
  });

  it('when run with --dry-run, then it lists the leads it would erase and changes nothing', async () => {
    const email = `dry-run-${tag}@example.test`;
    const created = await postJson(`${app.url}/api/leads`, { name: `Dry Run-${tag}`, email });
    const run = await erase(['--email', email, '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('(dry run: nothing is changed)');
    expect(run.stdout).toContain(`lead ${created.body.id} (api, captured `);
    expect(run.stdout).toContain('would be erased');
    const { rows } = await db.pool.query(`SELECT email FROM conversations WHERE id = $1`, [created.body.id]);
    expect(rows).toEqual([{ email }]);
  });

  it('when run with --phone written the local way, then the lead with that number in E.164 is erased', async () => {
    const created = await postJson(`${app.url}/api/leads`, {
      name: `Phone Person-${tag}`,
      phone: '+1 415 555 0166',
      metadata: { country: 'US' },
    });
    expect(created.status).toBe(201);
    const run = await erase(['--phone', '(415) 555-0166']);
    // Without DEFAULT_PHONE_REGION a number without its country code is refused, saying what to do.
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('write it with its country code (e.g. +14155550123) or set DEFAULT_PHONE_REGION');
    const fixed = await erase(['--phone', '+1 (415) 555-0166']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain(`lead ${created.body.id} (api`);
    expect(await scanForPersonalData(db.pool, ['+14155550166', `Phone Person-${tag}`])).toEqual([]);
  });

  it('when the person has a lead still in the spool, then the script remembers it and the lead is written as a tombstone', async () => {
    const email = `spooled-script-${tag}@example.test`;
    const row = buildCapturedLead(
      { source: 'api', name: `Spooled Script-${tag}`, email, phone: null, messages: [{ role: 'user', content: 'call me' }] },
      new Date(),
      { sla: { hotMs: 900_000, warmMs: 3_600_000, coldMs: 86_400_000, warningMs: 1_800_000 } },
    );
    const spool = await openSpool({ dir: spoolDir, maxBytes: 1_000_000, codec: spooledLeadCodec, onProblem: () => {} });
    await spool.append(row);

    const run = await erase(['--email', email]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`lead ${row.id}: not in the database but waiting in the spool; remembered`);
    expect(run.stdout).toContain('1 remembered for leads not written yet');

    const logger = createLogger({ level: 'silent' });
    const flushed = await spool.flush((lead) => storeSpooledLeadHonouringErasures({ pool: db.pool, logger, clock: systemClock }, lead));
    expect(flushed.stored).toBe(1);
    await spool.close();
    const { rows } = await db.pool.query(`SELECT name, email, erased_at IS NOT NULL AS erased FROM conversations WHERE id = $1`, [row.id]);
    expect(rows).toEqual([{ name: null, email: null, erased: true }]);
    expect(await scanForPersonalData(db.pool, [email])).toEqual([]);
    // The spool segment that held it is gone with the flush.
    const owners = await readdir(spoolDir);
    expect(owners).toEqual([]);
  });

  it('when an id no lead has is given, then the erasure is remembered and the summary says so', async () => {
    const id = randomUUID();
    const run = await erase(['--id', id]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`lead ${id}: not in the database; remembered`);
    await waitFor(
      'the pending erasure',
      async () => (await db.pool.query(`SELECT 1 FROM pending_erasures WHERE lead_id = $1`, [id])).rows.length === 1,
    );
  });

  it('when the arguments are wrong, then it exits 2 with a line saying what to pass', async () => {
    const none = await erase([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('say whose data to erase with --email, --phone or --id');
    expect(none.stderr).toContain('usage: npm run erase --');
    const badEmail = await erase(['--email', 'not-an-address']);
    expect(badEmail.stderr).toContain('is not an email address; pass the address as the person gave it');
    const badId = await erase(['--id', '42']);
    expect(badId.stderr).toContain('is not a lead id (a UUID');
    const unknown = await erase(['--name', 'x']);
    expect(unknown.code).toBe(2);
  });

  it('when the database cannot be reached, then it exits 1 saying to check DATABASE_URL', async () => {
    const env = { PATH: process.env['PATH'] ?? '', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', SPOOL_DIR: 'off' };
    const failed = await execFileAsync(process.execPath, ['scripts/erase.ts', '--id', randomUUID()], { env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain('check DATABASE_URL and that the database is reachable');
  });
});
