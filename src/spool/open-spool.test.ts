import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCapturedLead } from '../capture/build-captured-lead.ts';
import type { CapturedLeadRow } from '../capture/insert-captured-lead.ts';
import { spooledLeadCodec } from '../capture/spooled-lead-codec.ts';
import { openSpool, type Spool } from './open-spool.ts';

const sla = { hotMs: 15 * 60_000, warmMs: 3_600_000, coldMs: 86_400_000, warningMs: 30 * 60_000 };
const at = new Date('2026-12-01T12:00:00Z');

function lead(n: number, key = `client:contact-form:key-${n}`): CapturedLeadRow {
  return buildCapturedLead(
    {
      source: 'contact-form',
      name: `Lead ${n}`,
      email: `lead${n}@example.com`,
      phone: null,
      message: 'Please call',
      messages: [],
      idempotencyKey: key,
    },
    new Date(at.getTime() + n),
    { sla },
  );
}

const dirs: string[] = [];
const spools: Spool<CapturedLeadRow>[] = [];
afterEach(async () => {
  for (const spool of spools.splice(0)) await spool.close().catch(() => {});
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leadline-spool-test-'));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, maxBytes = 10 * 1024 * 1024): Promise<Spool<CapturedLeadRow>> {
  const spool = await openSpool({ dir, maxBytes, codec: spooledLeadCodec, onProblem: () => {} });
  spools.push(spool);
  return spool;
}

/** The pid of a process that has exited (and so is certainly not alive). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;
}

describe('openSpool', () => {
  it('when leads are appended and flushed, then each is handed over once, oldest first, and the spool is empty after', async () => {
    const spool = await open(await tempDir());
    await Promise.all([lead(1), lead(2), lead(3)].map((row) => spool.append(row)));
    await spool.append(lead(4));
    expect(spool.pendingCount()).toBe(4);
    expect(spool.findPending('client:contact-form:key-2')?.name).toBe('Lead 2');

    const stored: string[] = [];
    expect(await spool.flush(async (row) => void stored.push(row.name ?? ''))).toEqual({ stored: 4, remaining: 0 });
    expect(stored.slice(0, 3).sort()).toEqual(['Lead 1', 'Lead 2', 'Lead 3']);
    expect(stored[3]).toBe('Lead 4');
    expect(spool.pendingCount()).toBe(0);
    expect(await spool.flush(async () => {})).toEqual({ stored: 0, remaining: 0 });
  });

  it('when leads are appended while flushes run, then every acknowledged lead is handed over: a segment being opened is never taken for a sealed one', async () => {
    const spool = await open(await tempDir());
    const handedOver = new Set<string>();
    const store = async (row: CapturedLeadRow) => {
      handedOver.add(row.id);
      return Promise.resolve();
    };
    const appended: string[] = [];
    const work: Promise<unknown>[] = [];
    for (let n = 0; n < 3000; n += 1) {
      // A flush, then an append a few turns of the event loop later: the new segment is created while the
      // flush lists the directory, which is where a half-opened segment used to be taken, read and deleted.
      work.push(spool.flush(store));
      for (let turn = 0; turn < n % 9; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      const row = lead(n);
      work.push(spool.append(row).then(() => appended.push(row.id)));
    }
    await Promise.all(work);
    await spool.flush(store);
    expect(appended).toHaveLength(3000);
    expect(appended.filter((id) => !handedOver.has(id))).toEqual([]);
    expect(spool.pendingCount()).toBe(0);
  });

  it('when a store fails midway, then nothing is lost: the next flush hands over the whole segment again', async () => {
    const spool = await open(await tempDir());
    await spool.append(lead(1));
    await spool.append(lead(2));
    let calls = 0;
    await expect(
      spool.flush(async () => {
        calls += 1;
        if (calls === 2) throw new Error('database went away');
      }),
    ).rejects.toThrow('database went away');
    const stored: string[] = [];
    await spool.flush(async (row) => void stored.push(row.id));
    expect(stored).toHaveLength(2);
  });

  it('when a lead is appended, then its line is on disk with its id, key and dates before append resolves', async () => {
    const dir = await tempDir();
    const spool = await open(dir);
    const row = lead(7);
    await spool.append(row);
    const [ownerDir] = await readdir(dir);
    const files = (await readdir(path.join(dir, ownerDir!))).filter((name) => name.endsWith('.jsonl'));
    const line = JSON.parse((await readFile(path.join(dir, ownerDir!, files[0]!), 'utf8')).trim());
    expect(line).toMatchObject({ v: 1, lead: { id: row.id, idempotencyKey: row.idempotencyKey, createdAt: row.createdAt.toISOString() } });
  });

  it('when the process that spooled leads died, then the next spool on this host adopts them, with their dates restored', async () => {
    const dir = await tempDir();
    const first = await openSpool({ dir, maxBytes: 1024 * 1024, codec: spooledLeadCodec, onProblem: () => {} });
    const row = lead(1);
    await first.append(row);
    // The crash: the owner file now names a process that is gone, and nothing was closed.
    const [ownerDir] = await readdir(dir);
    const ownerFile = path.join(dir, ownerDir!, 'owner.json');
    await writeFile(ownerFile, JSON.stringify({ pid: deadPid(), hostname: os.hostname(), startedAt: at.toISOString() }));

    const second = await open(dir);
    expect(second.pendingCount()).toBe(1);
    const stored: CapturedLeadRow[] = [];
    await second.flush(async (adopted) => void stored.push(adopted));
    expect(stored).toEqual([row]);
    expect(stored[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('when a crash tore the last line, then the whole lines before it are kept and the torn one is dropped', async () => {
    const dir = await tempDir();
    const ownerDir = path.join(dir, 'crashed-owner');
    await mkdir(ownerDir);
    await writeFile(
      path.join(ownerDir, 'owner.json'),
      JSON.stringify({ pid: deadPid(), hostname: os.hostname(), startedAt: at.toISOString() }),
    );
    const whole = JSON.stringify({
      v: 1,
      spooledAt: at.toISOString(),
      lead: { ...lead(1), createdAt: at.toISOString(), slaDeadline: at.toISOString(), slaWarningAt: at.toISOString() },
    });
    await appendFile(path.join(ownerDir, '20261201T120000000Z-000001.jsonl'), `${whole}\n{"v":1,"spooledAt":"2026-12-0`);

    const spool = await open(dir);
    const stored: string[] = [];
    await spool.flush(async (row) => void stored.push(row.name ?? ''));
    expect(stored).toEqual(['Lead 1']);
  });

  it('when the spool is full, then append refuses with a 503 problem and takes nothing', async () => {
    const spool = await open(await tempDir(), 10);
    await spool.append(lead(1));
    expect(spool.canAccept()).toBe(false);
    await expect(spool.append(lead(2))).rejects.toMatchObject({ code: 'spool_full', retryAfterSeconds: 30 });
    expect(spool.pendingCount()).toBe(1);
  });
});
