import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFinished, type RunnerTask, type RunnerTestFile } from 'vitest';
import { withDatabase } from './global-setup.ts';

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  /** Ends the pool, then drops the database, unless a test of this file failed (then it is kept and named). */
  drop(): Promise<void>;
  /**
   * Drops the database now, with FORCE, whatever happened: for a test that takes the database away from a
   * running app. The pool is ended first; `drop()` afterwards is a no-op.
   */
  dropNow(): Promise<void>;
}

/** Set by test/helpers/track-test-file.ts (a setup file): the file whose tests are running in this worker. */
const CURRENT_FILE = Symbol.for('leadline.test.currentFile');
type WithCurrentFile = typeof globalThis & { [CURRENT_FILE]?: RunnerTestFile };

export function rememberTestFile(file: RunnerTestFile): void {
  (globalThis as WithCurrentFile)[CURRENT_FILE] = file;
}

function currentFile(): RunnerTestFile {
  const file = (globalThis as WithCurrentFile)[CURRENT_FILE];
  if (!file) {
    throw new Error('test/helpers/track-test-file.ts is not a setup file of this run: without it a failed test would lose its database');
  }
  return file;
}

/** A test that failed, or a suite whose hooks failed, anywhere in the tree. */
function hasFailure(task: RunnerTask): boolean {
  if (task.result?.state === 'fail') return true;
  return 'tasks' in task && task.tasks.some(hasFailure);
}

function isRunning(task: RunnerTask): boolean {
  if (task.type === 'test') return task.result?.state === 'run';
  return 'tasks' in task && task.tasks.some(isRunning);
}

/**
 * A fresh database for one test file, cloned from the migrated template. It is dropped afterwards unless a
 * test of the file failed (detected from vitest's task state, no opt-in needed), so the rows that explain a
 * failure are still there to look at; the kept database's name is printed.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const file = currentFile();
  const adminUrl = inject('adminDatabaseUrl');
  const template = inject('templateDatabase');
  const name = `leadline_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // The database is dropped WITH (FORCE) at the end; an idle client learning that must not crash the run.
  pool.on('error', () => {});
  let poolEnded = false;
  let gone = false;
  const endPool = async () => {
    if (poolEnded) return;
    poolEnded = true;
    await pool.end();
  };
  const dropDatabase = async () => {
    gone = true;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  const dropUnlessFailed = async () => {
    if (gone) return;
    if (hasFailure(file)) {
      gone = true;
      const shown = new URL(url);
      shown.password = '';
      process.stderr.write(`kept database ${name} because a test in ${file.name} failed: psql ${shown.toString()}\n`);
      return;
    }
    await dropDatabase();
  };
  return {
    name,
    url,
    pool,
    async drop() {
      await endPool();
      // Dropped inside a test (a `finally`): that test's outcome is not known yet, so decide once it is.
      if (isRunning(file)) onTestFinished(dropUnlessFailed);
      else await dropUnlessFailed();
    },
    async dropNow() {
      await endPool();
      await dropDatabase();
    },
  };
}
