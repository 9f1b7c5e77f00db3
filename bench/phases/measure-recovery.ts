/**
 * Recovery times, from the fault suite itself (test/faults): `kill -9` of `npm start` mid-burst, then a
 * restart, until every acknowledged lead was alerted on Slack, email and Telegram; and a database outage,
 * until everything captured during it was alerted. The suite's long form runs each fault several times
 * against real processes, stub providers and an embedded Postgres of its own, and writes one JSON line per
 * run (FAULT_SUMMARY_FILE); this phase runs it and reads those lines. Pacing stays at the product's
 * defaults (Slack one message a second), so the times include Slack's pace, as users would see them.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RecoveryRun {
  test: string;
  lost: number;
  duplicated: number;
  duplicatedFlagged: number;
  maxAnswerMs: number;
  /** From the restart (or the database's return) to the last first alert; undefined while something is missing. */
  catchUpMs: number | undefined;
}

export interface RecoveryResult {
  kill: RecoveryRun[];
  outage: RecoveryRun[];
  /** The suite's verdict: every run's assertions (nothing lost, repeats flagged, catch-up limits). */
  passed: boolean;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILES = ['test/faults/kill-restart.test.ts', 'test/faults/database-outage.test.ts'];

export async function measureRecovery(options: { log: (line: string) => void }): Promise<RecoveryResult> {
  const summaryFile = path.join(os.tmpdir(), `leadline-bench-recovery-${process.pid}.jsonl`);
  await rm(summaryFile, { force: true });
  const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', '--config', 'test/faults/vitest.faults.config.ts', ...FILES], {
    cwd: ROOT,
    env: { ...process.env, FAULT_SUITE: 'long', FAULT_SUMMARY_FILE: summaryFile, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split('\n')) if (line.startsWith('[fault]')) options.log(`  ${line}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = (await readFile(summaryFile, 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecoveryRun);
  await rm(summaryFile, { force: true });
  if (code !== 0) options.log(`  the fault suite failed (exit ${code}); its last output:\n${output.slice(-3000)}`);
  const pick = ({ test, lost, duplicated, duplicatedFlagged, maxAnswerMs, catchUpMs }: RecoveryRun): RecoveryRun => ({
    test,
    lost,
    duplicated,
    duplicatedFlagged,
    maxAnswerMs,
    catchUpMs,
  });
  return {
    kill: lines.filter((run) => run.test.startsWith('kill -9')).map(pick),
    outage: lines.filter((run) => run.test.startsWith('database outage')).map(pick),
    passed: code === 0,
  };
}
