/**
 * One fault test file at a time per checkout, even under `npm test`, whose config runs up to three files side by
 * side: each fault file loads the 2-core machine on purpose (a steady capture load, a Leadline process, its own
 * PostgreSQL), and two at once would measure each other instead of the fault. The slot is a lock file holding
 * the holder's pid; a holder that died without releasing it is detected and its slot taken.
 */
import { createHash } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
const LOCK_FILE = path.join(os.tmpdir(), `leadline-fault-slot-${createHash('sha256').update(REPOSITORY).digest('hex').slice(0, 12)}.lock`);

/** Long enough for every other fault file of the long form to finish first. */
export const FAULT_SLOT_TIMEOUT_MS = 15 * 60_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits for the slot; resolves with the function that gives it back. */
export async function acquireFaultSlot(timeoutMs = FAULT_SLOT_TIMEOUT_MS): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(LOCK_FILE, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        const holder = await readFile(LOCK_FILE, 'utf8').catch(() => '');
        if (holder === String(process.pid)) await unlink(LOCK_FILE).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(LOCK_FILE, 'utf8').catch(() => ''));
    // An empty file is a holder between open and write; a dead pid left a stale lock.
    if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) await unlink(LOCK_FILE).catch(() => {});
    if (Date.now() >= deadline) throw new Error(`no fault slot within ${timeoutMs} ms (held by pid ${holder}, lock ${LOCK_FILE})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
