/**
 * `node scripts/measure-prune.ts [--rows N] [--rate R]`: how the retention prune behaves on a million rows.
 *
 * Starts a fresh embedded PostgreSQL (its own temporary directory, removed afterwards), migrates it, fills
 * it with N expired rows of each big kind (processed provider payloads; processed events, each with a
 * delivery attempt and a timeline row) plus a slice of young rows that must stay, then runs the prune the
 * worker runs daily while a capture loop stores leads through the real capture statement at R per second.
 * Prints the prune's time and counts and the capture latency before and during the prune (the figures in
 * docs/data-lifecycle.md). Not part of `npm test` or `npm run bench`: it takes minutes and a few GB of disk.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildCapturedLead } from '../src/capture/build-captured-lead.ts';
import { storeCapturedLead } from '../src/capture/capture-lead.ts';
import { createPool } from '../src/db/create-pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { startEmbeddedPostgres } from '../src/db/start-embedded-postgres.ts';
import { ensureDeliveryQueues } from '../src/delivery/ensure-delivery-queues.ts';
import { DEFAULT_PRUNE_BATCH_SIZE, pruneExpiredRows } from '../src/lifecycle/prune-expired-rows.ts';
import { createLogger } from '../src/logging/create-logger.ts';
import { startJobQueue } from '../src/queue/start-job-queue.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, rate: { type: 'string', default: '100' } },
  strict: true,
});
const ROWS = Number(values.rows);
const RATE = Number(values.rate);
if (!Number.isInteger(ROWS) || ROWS < 1_000) throw new Error('--rows must be a whole number of at least 1000');
if (!Number.isFinite(RATE) || RATE <= 0) throw new Error('--rate must be a positive number of captures per second');
const YOUNG = Math.max(1_000, Math.round(ROWS / 100));
const DAY = 86_400_000;
const SLA = { hotMs: 900_000, warmMs: 3_600_000, coldMs: 86_400_000, warningMs: 1_800_000 };

const say = (line: string) => console.log(`measure-prune: ${line}`);
const dataParent = await mkdtemp(path.join(os.tmpdir(), 'leadline-measure-prune-'));
await chmod(dataParent, 0o755);
const postgres = await startEmbeddedPostgres({ dataParent });
const pool = createPool({ connectionString: postgres.url, max: 4, applicationName: 'leadline-measure' });
// As in a worker: its bookkeeping commits asynchronously (main.ts, synchronousCommit: false).
const workerPool = createPool({ connectionString: postgres.url, max: 4, applicationName: 'leadline-worker', synchronousCommit: false });
try {
  await migrate(pool);
  const boss = await startJobQueue({
    connectionString: postgres.url,
    logger: createLogger({ level: 'silent' }),
    runsMaintenance: false,
    poolSize: 2,
  });
  await ensureDeliveryQueues(boss);
  await boss.stop({ graceful: false });

  say(
    `filling: ${ROWS} expired raw payloads, ${ROWS} expired events (each with an attempt and a timeline row), ${YOUNG} young rows of each`,
  );
  const filling = performance.now();
  const leads = Math.ceil(ROWS / 10);
  await pool.query(
    `INSERT INTO conversations (source, name, email, quality, idempotency_key, created_at, sla_response_deadline, sla_warning_at)
     SELECT 'api', 'Old Lead ' || n, 'old' || n || '@example.com', 'cold', 'seed:' || n, now() - interval '200 days',
            now() - interval '199 days', now() - interval '199 days'
       FROM generate_series(1, $1) AS n`,
    [leads],
  );
  const chunk = 100_000;
  for (let start = 0; start < ROWS; start += chunk) {
    const size = Math.min(chunk, ROWS - start);
    await pool.query(
      `INSERT INTO raw_leads (source, external_id, body, headers, status, received_at, processed_at)
       SELECT 'zapier', 'msg_' || n, '{"name":"Old Lead ' || n || '","email":"old' || n || '@example.com","message":"' || repeat('x', 300) || '"}',
              '{"via":"webhook"}', 'processed', now() - interval '40 days', now() - interval '40 days'
         FROM generate_series($1::int, $2::int) AS n`,
      [start + 1, start + size],
    );
    await pool.query(
      `WITH events AS (
         INSERT INTO lead_events (event_type, conversation_id, payload, created_at, processed_at)
         SELECT 'lead.created', c.id, '{"source":"api","quality":"cold","score":10}', now() - interval '200 days', now() - interval '200 days'
           FROM generate_series($1::int, $2::int) AS n JOIN conversations c ON c.idempotency_key = 'seed:' || (1 + n % $3)
         RETURNING id, conversation_id
       ), logs AS (
         INSERT INTO notification_logs (event_id, conversation_id, channel, destination, status, created_at, finished_at)
         SELECT id, conversation_id, 'slack', 'https://hooks.slack.com/services/T/B/x', 'sent', now() - interval '200 days', now() - interval '200 days'
           FROM events
       )
       INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, actor_type, created_at)
       SELECT conversation_id, id, 'lead.created', 'Lead captured from API', 'customer', now() - interval '200 days' FROM events`,
      [start + 1, start + size, leads],
    );
    say(`  filled ${start + size}/${ROWS}`);
  }
  await pool.query(
    `INSERT INTO raw_leads (source, body, status, received_at, processed_at)
     SELECT 'zapier', '{}', 'processed', now() - interval '1 day', now() - interval '1 day' FROM generate_series(1, $1)`,
    [YOUNG],
  );
  await pool.query(
    `INSERT INTO lead_events (event_type, conversation_id, created_at, processed_at)
     SELECT 'lead.created', (SELECT id FROM conversations LIMIT 1), now() - interval '1 day', now() - interval '1 day' FROM generate_series(1, $1)`,
    [YOUNG],
  );
  await pool.query('VACUUM ANALYZE');
  const size = await pool.query<{ size: string }>(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`);
  say(`filled in ${((performance.now() - filling) / 1000).toFixed(0)} s; database ${size.rows[0]!.size}`);

  // The capture loop: the real capture statement (lead, message, event, timeline row), paced at RATE.
  const latencies: { at: number; ms: number }[] = [];
  let capturing = true;
  let serial = 0;
  const loop = (async () => {
    const interval = 1000 / RATE;
    let next = performance.now();
    while (capturing) {
      const row = buildCapturedLead(
        {
          source: 'api',
          name: `Measure ${serial}`,
          email: `measure${(serial += 1)}@example.com`,
          phone: null,
          message: 'Please call me back',
          messages: [{ role: 'user', content: 'Please call me back' }],
          idempotencyKey: `measure:${serial}`,
        },
        new Date(),
        { sla: SLA },
      );
      const started = performance.now();
      await storeCapturedLead(pool, row);
      latencies.push({ at: started, ms: performance.now() - started });
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      else next = performance.now();
    }
  })();
  const stats = (from: number, to: number) => {
    const window = latencies
      .filter((entry) => entry.at >= from && entry.at < to)
      .map((entry) => entry.ms)
      .sort((a, b) => a - b);
    const pick = (q: number) => window[Math.min(window.length - 1, Math.floor(q * window.length))] ?? 0;
    return { n: window.length, p50: pick(0.5), p99: pick(0.99), max: window.at(-1) ?? 0 };
  };

  const baselineFrom = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  const pruneFrom = performance.now();
  // One sample per batch statement: a payload batch reports raw_leads, an event batch reports lead_events last.
  const batchMs: Record<'raw_leads' | 'lead_events', number[]> = { raw_leads: [], lead_events: [] };
  const phaseStart: Partial<Record<'raw_leads' | 'lead_events', number>> = {};
  const phaseEnd: Partial<Record<'raw_leads' | 'lead_events', number>> = {};
  const result = await pruneExpiredRows(workerPool, {
    now: new Date(),
    retention: { rawMs: 30 * DAY, logsMs: 180 * DAY, deadMs: 30 * DAY },
    onBatch: (table, _rows, ms) => {
      if (table !== 'raw_leads' && table !== 'lead_events') return;
      batchMs[table].push(ms);
      phaseStart[table] ??= performance.now() - ms;
      phaseEnd[table] = performance.now();
    },
  });
  const pruneTo = performance.now();
  capturing = false;
  await loop;

  const kept = await pool.query<{ raw: number; events: number; timeline: number; unlinked: number }>(
    `SELECT (SELECT count(*)::int FROM raw_leads) AS raw, (SELECT count(*)::int FROM lead_events) AS events,
            (SELECT count(*)::int FROM conversation_timeline) AS timeline,
            (SELECT count(*)::int FROM conversation_timeline WHERE event_id IS NULL) AS unlinked`,
  );
  const baseline = stats(baselineFrom, pruneFrom);
  const during = stats(pruneFrom, pruneTo);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const phase = (table: 'raw_leads' | 'lead_events') => {
    const sorted = [...batchMs[table]].sort((a, b) => a - b);
    const seconds = ((phaseEnd[table] ?? 0) - (phaseStart[table] ?? 0)) / 1000;
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return `${seconds.toFixed(1)} s, ${sorted.length} batches (per batch p50 ${ms(p(0.5))}, p99 ${ms(p(0.99))}, max ${ms(sorted.at(-1) ?? 0)})`;
  };
  say('done');
  console.log(`
| | value |
|---|---|
| expired rows | ${ROWS} raw payloads; ${ROWS} events + ${ROWS} attempts (+ ${ROWS} timeline links set to NULL) |
| prune time | ${(result.durationMs / 1000).toFixed(1)} s in batches of ${DEFAULT_PRUNE_BATCH_SIZE}: payloads ${phase('raw_leads')}; events ${phase('lead_events')} |
| deleted | ${Object.entries(result.pruned)
    .map(([table, rows]) => `${table} ${rows}`)
    .join(', ')} |
| kept | ${kept.rows[0]!.raw} raw payloads, ${kept.rows[0]!.events} events, ${kept.rows[0]!.timeline} timeline rows (${kept.rows[0]!.unlinked} unlinked) |
| capture at ${RATE}/s before the prune (${baseline.n}) | p50 ${ms(baseline.p50)}, p99 ${ms(baseline.p99)}, max ${ms(baseline.max)} |
| capture at ${RATE}/s during the prune (${during.n}) | p50 ${ms(during.p50)}, p99 ${ms(during.p99)}, max ${ms(during.max)} |
`);
} finally {
  await pool.end();
  await workerPool.end();
  await postgres.stop();
  await rm(dataParent, { recursive: true, force: true });
}
