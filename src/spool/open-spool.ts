import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../shared/app-error.ts';

/**
 * The spool: where capture keeps validated leads while the database cannot be reached, so a visitor's form
 * is acknowledged (202) instead of refused. A lead in the spool is durable (appended and fsync'd before the
 * answer) and is written to the database with the same id, key and `created_at` as soon as it answers.
 *
 * Layout: `<dir>/<owner>/` per process (its `owner.json` names the pid and host), holding segment files of
 * one JSON record per line, named so that they sort oldest first. Only the owner appends; a flush seals the
 * open segment and works through the sealed ones. A process that finds the directory of a dead owner (a
 * crash, a restart) adopts its segments by renaming them into its own directory: rename is atomic, so two
 * adopters never both take one file. One spool directory belongs to one host (pids are host-local).
 */
export interface Spool<T> {
  readonly dir: string;
  /**
   * Appends the record and resolves once it is on disk (fsync). Concurrent appends share one write and one
   * fsync. Throws a `spool_full` AppError (503) when the spool holds `maxBytes` already.
   */
  append(record: T): Promise<void>;
  /** A record waiting in the spool under this key (a retry while the database is still away). */
  findPending(key: string): T | undefined;
  /** Leads waiting (own and adopted). */
  pendingCount(): number;
  /** Whether an append would be accepted now (readiness). */
  canAccept(): boolean;
  /** Adopts the segments of owners that are no longer alive; returns how many files it took. */
  adoptDeadOwners(): Promise<number>;
  /**
   * Hands every waiting lead to `store`, oldest first, deleting each segment once all its leads are stored.
   * Stops at the first failure (the database went away again) and leaves the rest for the next flush.
   */
  flush(store: (record: T) => Promise<void>): Promise<{ stored: number; remaining: number }>;
  close(): Promise<void>;
}

/** How records of one kind travel through the spool: to and from JSON, and the key that makes repeats one. */
export interface SpoolCodec<T> {
  encode(record: T): unknown;
  decode(json: unknown): T;
  key(record: T): string;
}

interface OwnerFile {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** The on-disk form of one spooled record (one line). */
interface SpoolLine {
  v: 1;
  spooledAt: string;
  lead: unknown;
}

/**
 * Leads of one segment written side by side: after a long outage the spool holds thousands (50/s for 30 s is
 * 1,500), and one at a time each waits out its own commit. Four keep the catch-up to seconds while leaving the
 * rest of the pool to live captures.
 */
const FLUSH_CONCURRENCY = 4;
/** An owner touches its owner file this often; one silent for OWNER_TOUCH_STALE_MS is gone. */
const OWNER_TOUCH_INTERVAL_MS = 10_000;
const OWNER_TOUCH_STALE_MS = 60_000;

const SEGMENT = /^(\d{8}T\d{9}Z)-(\d{6})(?:-[\w.-]+)?\.jsonl$/;

export async function openSpool<T>(options: {
  dir: string;
  maxBytes: number;
  codec: SpoolCodec<T>;
  onProblem: (message: string, error?: unknown) => void;
  now?: () => Date;
}): Promise<Spool<T>> {
  const { codec } = options;
  const now = options.now ?? (() => new Date());
  const root = path.resolve(options.dir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const ownerId = `${os.hostname().replace(/[^\w.-]/g, '_')}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const ownDir = path.join(root, ownerId);
  await mkdir(ownDir, { mode: 0o700 });
  const owner: OwnerFile = { pid: process.pid, hostname: os.hostname(), startedAt: now().toISOString() };
  const ownerFile = path.join(ownDir, 'owner.json');
  await writeFile(ownerFile, JSON.stringify(owner), { mode: 0o600, flag: 'wx' });
  await syncDirectory(root);
  const toucher = setInterval(() => {
    const time = new Date();
    utimes(ownerFile, time, time).catch((error: unknown) => options.onProblem('the spool owner file could not be touched', error));
  }, OWNER_TOUCH_INTERVAL_MS);
  toucher.unref();

  const pending = new Map<string, T>();
  let bytes = 0;
  let sequence = 0;
  let current: { name: string; handle: FileHandle } | undefined;
  /** The segment being created: on disk already, not yet `current`; a flush must not take it for a sealed one. */
  let opening: string | undefined;
  let writing: Promise<void> | undefined;
  let queue: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let lastWriteFailed = false;

  const segmentName = () => `${now().toISOString().replace(/[-:.]/g, '')}-${String((sequence += 1)).padStart(6, '0')}.jsonl`;

  const openSegment = async () => {
    const name = segmentName();
    opening = name;
    try {
      const handle = await open(
        path.join(ownDir, name),
        constants.O_CREAT | constants.O_WRONLY | constants.O_APPEND | constants.O_EXCL,
        0o600,
      );
      // The new file's directory entry must survive a crash too.
      await syncDirectory(ownDir);
      current = { name, handle };
      return current;
    } finally {
      opening = undefined;
    }
  };

  /** One write and one fsync for everything queued meanwhile (group commit). */
  const drainQueue = async () => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        const segment = current ?? (await openSegment());
        const buffer = Buffer.from(batch.map((entry) => entry.line).join(''));
        await segment.handle.write(buffer);
        await segment.handle.datasync();
        bytes += buffer.length;
        lastWriteFailed = false;
        for (const entry of batch) entry.resolve();
      } catch (error) {
        lastWriteFailed = true;
        for (const entry of batch) entry.reject(error);
      }
    }
  };

  // A line queued while the last batch was finishing must not wait for a next append to be written.
  const startWriting = (): void => {
    if (writing) return;
    writing = drainQueue().finally(() => {
      writing = undefined;
      if (queue.length > 0) startWriting();
    });
  };

  const seal = async () => {
    // Wait until no write is in flight (one may start another), then cut over without yielding in between.
    while (writing) await writing;
    const sealed = current;
    current = undefined;
    await sealed?.handle.close();
  };

  const listSegments = async (): Promise<string[]> => {
    const names = await readdir(ownDir);
    // Read after the listing: a segment opened meanwhile is `current` or `opening` by now, never sealed.
    return names.filter((name) => SEGMENT.test(name) && name !== current?.name && name !== opening).sort();
  };

  const readSegment = async (file: string): Promise<T[]> => {
    const text = await readFile(path.join(ownDir, file), 'utf8');
    const lines = text.split('\n');
    const leads: T[] = [];
    for (const [index, line] of lines.entries()) {
      if (line === '') continue;
      try {
        const parsed = JSON.parse(line) as SpoolLine;
        if (parsed.v !== 1) throw new Error(`unknown spool record version ${String(parsed.v)}`);
        leads.push(codec.decode(parsed.lead));
      } catch (error) {
        // Only a last line without its newline can be torn (a crash mid-write), and it was never acknowledged.
        if (index === lines.length - 1) break;
        throw new Error(`spool segment ${file} is damaged at line ${index + 1}`, { cause: error });
      }
    }
    return leads;
  };

  // Leads a previous incarnation left behind are adopted at once, so they are flushed and found as repeats.
  const adoptDeadOwners = async (): Promise<number> => {
    let adopted = 0;
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === ownerId || entry.name === 'damaged') continue;
      const theirDir = path.join(root, entry.name);
      if (await ownerIsAlive(theirDir)) continue;
      for (const name of await readdir(theirDir).catch(() => [] as string[])) {
        const match = SEGMENT.exec(name);
        if (!match) continue;
        const target = `${match[1]}-${match[2]}-${entry.name}.jsonl`;
        try {
          await rename(path.join(theirDir, name), path.join(ownDir, target));
        } catch {
          continue; // another process adopted it first
        }
        adopted += 1;
        const size = (await stat(path.join(ownDir, target))).size;
        bytes += size;
        for (const record of await readSegment(target).catch(() => [] as T[])) pending.set(codec.key(record), record);
      }
      await rm(theirDir, { recursive: true, force: true }).catch(() => {});
    }
    if (adopted > 0) await syncDirectory(ownDir);
    return adopted;
  };

  await adoptDeadOwners();

  let flushing: Promise<unknown> = Promise.resolve();
  /** Hands over every lead, oldest first, FLUSH_CONCURRENCY at a time; throws (after all settled) if one failed. */
  const storeAll = async (leads: T[], store: (record: T) => Promise<void>): Promise<number> => {
    let next = 0;
    let failure: { error: unknown } | undefined;
    const lane = async () => {
      while (failure === undefined && next < leads.length) {
        const record = leads[next]!;
        next += 1;
        try {
          await store(record);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(FLUSH_CONCURRENCY, leads.length) }, lane));
    if (failure) throw failure.error;
    return leads.length;
  };
  const flushOnce = async (store: (record: T) => Promise<void>): Promise<{ stored: number; remaining: number }> => {
    await seal();
    let stored = 0;
    for (const file of await listSegments()) {
      let leads: T[];
      try {
        leads = await readSegment(file);
      } catch (error) {
        // Never delete what cannot be read: set it aside for a human and go on with the rest.
        await mkdir(path.join(root, 'damaged'), { recursive: true, mode: 0o700 });
        await rename(path.join(ownDir, file), path.join(root, 'damaged', `${ownerId}-${file}`));
        options.onProblem(`a spool segment could not be read; it was moved to ${path.join(root, 'damaged')} for inspection`, error);
        continue;
      }
      stored += await storeAll(leads, store);
      const size = (await stat(path.join(ownDir, file))).size;
      await unlink(path.join(ownDir, file));
      bytes = Math.max(0, bytes - size);
      for (const record of leads) if (pending.get(codec.key(record)) !== undefined) pending.delete(codec.key(record));
    }
    await syncDirectory(ownDir);
    return { stored, remaining: pending.size };
  };

  const spool: Spool<T> = {
    dir: root,
    append(record) {
      if (bytes >= options.maxBytes) {
        return Promise.reject(
          new AppError('spool_full', 'the database is unreachable and the spool is full; retry later', { retryAfterSeconds: 30 }),
        );
      }
      const line = `${JSON.stringify({ v: 1, spooledAt: now().toISOString(), lead: codec.encode(record) } satisfies SpoolLine)}\n`;
      return new Promise<void>((resolve, reject) => {
        queue.push({
          line,
          resolve: () => {
            pending.set(codec.key(record), record);
            resolve();
          },
          reject,
        });
        startWriting();
      });
    },
    findPending: (key) => pending.get(key),
    pendingCount: () => pending.size,
    canAccept: () => bytes < options.maxBytes && !lastWriteFailed,
    adoptDeadOwners,
    flush(store) {
      // One flush at a time: two would hand over the same segment twice and race to delete it.
      const run = flushing.then(() => flushOnce(store));
      flushing = run.catch(() => {});
      return run;
    },
    async close() {
      clearInterval(toucher);
      await seal();
      // An empty spool leaves nothing behind; a non-empty one stays for the next start to flush.
      if ((await listSegments()).length === 0) await rm(ownDir, { recursive: true, force: true });
    },
  };
  return spool;
}

/**
 * An owner on this host is alive while its pid runs and is not ours (a restarted container is pid 1 again).
 * An owner from another hostname (a container recreated on the same volume) is alive only while it keeps
 * touching its owner file.
 */
async function ownerIsAlive(ownerDir: string): Promise<boolean> {
  const ownerFile = path.join(ownerDir, 'owner.json');
  let owner: OwnerFile;
  try {
    owner = JSON.parse(await readFile(ownerFile, 'utf8')) as OwnerFile;
  } catch {
    // No owner file: a directory mid-creation is younger than a few seconds; anything older is abandoned.
    const info = await stat(ownerDir).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs < OWNER_TOUCH_STALE_MS;
  }
  if (owner.hostname !== os.hostname()) {
    const info = await stat(ownerFile).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs < OWNER_TOUCH_STALE_MS;
  }
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
