/**
 * `npm run prune -- [--batch-size N]`
 *
 * Runs the retention prune now, as the worker does once a day: deletes provider payloads, processed events
 * with their delivery logs, and dead letters older than RETENTION_RAW, RETENTION_LOGS and RETENTION_DEAD, in
 * batches. Safe beside running Leadline processes (short transactions; one prune at a time).
 */
import { parseArgs } from 'node:util';
import { formatDuration } from '../src/config/parse-duration.ts';
import { createPool } from '../src/db/create-pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { applyPendingErasures } from '../src/lifecycle/apply-pending-erasures.ts';
import { DEFAULT_PRUNE_BATCH_SIZE, PRUNED_TABLES, pruneExpiredRows } from '../src/lifecycle/prune-expired-rows.ts';
import { loadScriptConfig } from './load-script-config.ts';

const USAGE = 'usage: npm run prune -- [--batch-size N]';

function fail(message: string): never {
  console.error(`prune: ${message}\n${USAGE}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: { 'batch-size': { type: 'string' }, help: { type: 'boolean', default: false } },
    allowPositionals: false,
    strict: true,
  });
} catch (error) {
  fail((error as Error).message);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const batchText = parsed.values['batch-size'];
const batchSize = batchText === undefined ? DEFAULT_PRUNE_BATCH_SIZE : Number(batchText);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)
  fail(`--batch-size "${batchText}" must be a whole number from 1 to 100000`);

const config = loadScriptConfig('prune');
const { retention } = config;
const window = (ms: number) => (ms === 0 ? 'kept for ever' : formatDuration(ms));
console.log(
  `prune: raw payloads ${window(retention.rawMs)}, processed events and delivery logs ${window(retention.logsMs)}, dead letters ${window(retention.deadMs)}`,
);

let exitCode = 0;
let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
let pool: ReturnType<typeof createPool> | undefined;
try {
  database = await openDatabase({ databaseUrl: config.databaseUrl, homeDir: config.homeDir });
  pool = createPool({ connectionString: database.url, max: 3, applicationName: 'leadline-prune' });
  await migrate(pool);
  const late = await applyPendingErasures(pool, new Date());
  if (late > 0) console.log(`prune: erased ${late} lead(s) whose erasure was asked for before they reached the database`);
  const totals = new Map<string, number>();
  const result = await pruneExpiredRows(pool, {
    now: new Date(),
    retention,
    batchSize,
    onBatch: (table, rows) => {
      totals.set(table, (totals.get(table) ?? 0) + rows);
      console.log(`  ${table}: -${rows} (${totals.get(table)} so far)`);
    },
  });
  if (!result.ran) {
    console.log('prune: another process is pruning right now; nothing done. Run it again when that one has finished.');
  } else {
    const summary = PRUNED_TABLES.map((table) => `${table} ${result.pruned[table]}`).join(', ');
    console.log(`prune: done in ${(result.durationMs / 1000).toFixed(1)} s. Deleted: ${summary}.`);
  }
} catch (error) {
  console.error(
    `prune failed: ${(error as Error).message} (what was deleted before stays deleted; check DATABASE_URL and that the database is reachable, then run it again)`,
  );
  exitCode = 1;
} finally {
  await pool?.end();
  await database?.embedded?.stop();
}
process.exit(exitCode);
