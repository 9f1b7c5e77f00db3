import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool, Queryable } from '../db/create-pool.ts';
import { DELIVERY_QUEUES } from '../delivery/ensure-delivery-queues.ts';
import { withAdvisoryLock } from '../ingest/with-advisory-lock.ts';
import { JOB_SCHEMA } from '../queue/start-job-queue.ts';

/** How long each class of rows is kept, in milliseconds; 0 keeps it for ever (config `retention`). */
export interface RetentionSettings {
  rawMs: number;
  logsMs: number;
  deadMs: number;
}

export const PRUNED_TABLES = ['raw_leads', 'lead_events', 'notification_logs', 'operator_alerts', 'digests', 'pending_erasures'] as const;
export type PrunedTable = (typeof PRUNED_TABLES)[number];

export interface PruneResult {
  /** Rows deleted per table (also for a dry run: what would be deleted). */
  pruned: Record<PrunedTable, number>;
  /** False when another process was pruning (the advisory lock was taken): nothing was done. */
  ran: boolean;
  durationMs: number;
}

export interface PruneOptions {
  now: Date;
  retention: RetentionSettings;
  /**
   * Rows per statement. Each batch is its own short transaction that locks only the rows it deletes, so
   * capture and delivery go on beside it; 5,000 keeps one batch well under a second (docs/data-lifecycle.md).
   */
  batchSize?: number;
  /** A breather between batches, so a large backlog does not take the disk from capture. */
  pauseBetweenBatchesMs?: number;
  /** Told after every batch, per table it deleted from, with how long the batch's statement took. */
  onBatch?: (table: PrunedTable, rows: number, batchMs: number) => void;
  /** Stops between two batches (shutdown); what was deleted stays deleted, the rest waits for the next run. */
  signal?: AbortSignal;
}

export const DEFAULT_PRUNE_BATCH_SIZE = 5_000;
const DEFAULT_PAUSE_MS = 10;
/** An erasure asked for an id that never reached the database: a spool holds leads minutes, not months. */
const PENDING_ERASURE_DAYS = 30;
const LOCK_NAME = 'leadline:retention-prune';
const DAY_MS = 86_400_000;

/**
 * Provider payloads processed before the raw window. Payloads still `received` or `paused` wait for work
 * (a Meta fetch, a token fix) and are never pruned here; `failed` ones are dead letters (below).
 */
const PRUNE_PROCESSED_RAW = /* sql */ `
DELETE FROM raw_leads WHERE id IN (
  SELECT id FROM raw_leads WHERE status = 'processed' AND processed_at < $1
   ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Payloads that failed to ingest and were not replayed within the dead-letter window. */
const PRUNE_FAILED_RAW = /* sql */ `
DELETE FROM raw_leads WHERE id IN (
  SELECT id FROM raw_leads WHERE status = 'failed' AND received_at < $1
   ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/**
 * Dead deliveries never retried within the dead-letter window: the dead attempt and the failed attempts
 * before it in the same (event, channel, round). A sent or skipped attempt is history and stays with its
 * event. Returns how many dead letters went (the loop's measure) and how many rows.
 */
const PRUNE_DEAD_DELIVERIES = /* sql */ `
WITH letters AS (
  SELECT event_id, channel, round FROM notification_logs
   WHERE status = 'dead' AND retried_at IS NULL AND created_at < $1
   ORDER BY created_at LIMIT $2
), deleted AS (
  DELETE FROM notification_logs n USING letters l
   WHERE n.event_id = l.event_id AND n.channel = l.channel AND n.round = l.round AND n.status IN ('failed', 'dead')
  RETURNING 1
)
SELECT (SELECT count(*) FROM letters)::int AS letters, (SELECT count(*) FROM deleted)::int AS rows`;

/**
 * Processed events older than the logs window, with their delivery attempts, alert texts and (for
 * `digest.sent`) the digest they carry; the lead's timeline keeps its rows (their event link becomes NULL).
 * Never pruned: an unprocessed event (the relay's work), one created or processed inside the window, one
 * with an attempt inside the window or still pending or sending, one with a dead letter that has not
 * expired, and one at or above `$3`, the lowest event id a queued delivery job still names (a paused
 * delivery finds its event). The SLA monitor and the live streams tail new ids only, so older rows are
 * nothing to them.
 */
const PRUNE_EVENTS = /* sql */ `
WITH batch AS MATERIALIZED (
  SELECT e.id, e.event_type, e.payload FROM lead_events e
   WHERE e.created_at < $1 AND e.processed_at < $1
     AND ($3::bigint IS NULL OR e.id < $3)
     AND NOT EXISTS (
       SELECT 1 FROM notification_logs n
        WHERE n.event_id = e.id
          AND (n.status IN ('pending', 'sending') OR n.created_at >= $1
               OR (n.status = 'dead' AND n.retried_at IS NULL AND ($4::timestamptz IS NULL OR n.created_at >= $4))))
   ORDER BY e.created_at LIMIT $2
   FOR UPDATE OF e SKIP LOCKED
), unlinked AS (
  -- What ON DELETE SET NULL would do row by row (a trigger call per event), as one set-based update.
  UPDATE conversation_timeline t SET event_id = NULL FROM batch b WHERE t.event_id = b.id RETURNING 1
), logs AS (
  DELETE FROM notification_logs n USING batch b WHERE n.event_id = b.id RETURNING 1
), alerts AS (
  DELETE FROM operator_alerts a USING batch b WHERE a.event_id = b.id RETURNING 1
), digest_rows AS (
  DELETE FROM digests d USING batch b
   WHERE b.event_type = 'digest.sent' AND b.payload->>'digest_id' ~ '^[0-9]{1,18}$' AND d.id = (b.payload->>'digest_id')::bigint
  RETURNING 1
), events AS (
  DELETE FROM lead_events e USING batch b WHERE e.id = b.id RETURNING 1
)
SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM logs)::int AS logs,
       (SELECT count(*) FROM alerts)::int AS alerts, (SELECT count(*) FROM digest_rows)::int AS digests,
       (SELECT count(*) FROM unlinked)::int AS unlinked`;

/** Digests older than the window whose event is already gone (written before migration 004 moved them). */
const PRUNE_ORPHANED_DIGESTS = /* sql */ `
DELETE FROM digests d WHERE d.created_at < $1
   AND NOT EXISTS (SELECT 1 FROM lead_events e WHERE e.event_type = 'digest.sent' AND e.idempotency_key = 'digest:' || d.digest_date::text)`;

/**
 * The lowest event id a queued, retrying or running delivery job names; such an event is kept whatever its
 * age (deliveries can be paused for longer than a window). One scan of the delivery queues' live jobs.
 */
const OLDEST_QUEUED_EVENT = /* sql */ `
SELECT min((data->>'eventId')::bigint)::text AS event_id FROM ${JOB_SCHEMA}.job
 WHERE name = ANY($1::text[]) AND state IN ('created', 'retry', 'active') AND data->>'eventId' ~ '^[0-9]{1,18}$'`;

/**
 * Deletes what has outlived its retention window, in batches of `batchSize` rows per statement (short
 * transactions, row locks only), and returns the counts per table. One process at a time (an advisory
 * lock): a second caller returns at once with `ran: false`. pg-boss's own finished jobs are not touched
 * here: each queue's `deleteAfterSeconds` has pg-boss delete them itself.
 */
export async function pruneExpiredRows(pool: Pool, options: PruneOptions): Promise<PruneResult> {
  const started = performance.now();
  const pruned = Object.fromEntries(PRUNED_TABLES.map((table) => [table, 0])) as Record<PrunedTable, number>;
  const locked = await withAdvisoryLock(pool, LOCK_NAME, 0, () => pruneAll(pool, options, pruned));
  return { pruned, ran: locked.ran, durationMs: Math.round(performance.now() - started) };
}

async function pruneAll(db: Queryable, options: PruneOptions, pruned: Record<PrunedTable, number>): Promise<void> {
  const batchSize = options.batchSize ?? DEFAULT_PRUNE_BATCH_SIZE;
  const pauseMs = options.pauseBetweenBatchesMs ?? DEFAULT_PAUSE_MS;
  const cutoff = (ms: number) => (ms > 0 ? new Date(options.now.getTime() - ms) : null);
  const rawCutoff = cutoff(options.retention.rawMs);
  const logsCutoff = cutoff(options.retention.logsMs);
  const deadCutoff = cutoff(options.retention.deadMs);
  let batchStartedAt = performance.now();
  const count = (table: PrunedTable, rows: number) => {
    if (rows === 0) return;
    pruned[table] += rows;
    options.onBatch?.(table, rows, performance.now() - batchStartedAt);
  };
  /** Runs `batch` until it reports fewer than a full batch (or the run is stopped). */
  const drain = async (batch: () => Promise<number>) => {
    while (!options.signal?.aborted) {
      batchStartedAt = performance.now();
      const done = await batch();
      if (done < batchSize) return;
      if (pauseMs > 0) await sleep(pauseMs);
    }
  };

  if (rawCutoff) {
    await drain(async () => {
      const result = await db.query(PRUNE_PROCESSED_RAW, [rawCutoff, batchSize]);
      count('raw_leads', result.rowCount ?? 0);
      return result.rowCount ?? 0;
    });
  }
  if (deadCutoff) {
    await drain(async () => {
      const result = await db.query(PRUNE_FAILED_RAW, [deadCutoff, batchSize]);
      count('raw_leads', result.rowCount ?? 0);
      return result.rowCount ?? 0;
    });
    await drain(async () => {
      const { rows } = await db.query<{ letters: number; rows: number }>(PRUNE_DEAD_DELIVERIES, [deadCutoff, batchSize]);
      count('notification_logs', rows[0]?.rows ?? 0);
      return rows[0]?.letters ?? 0;
    });
  }
  if (logsCutoff) {
    const queued = await db.query<{ event_id: string | null }>(OLDEST_QUEUED_EVENT, [[...DELIVERY_QUEUES]]);
    const belowEventId = queued.rows[0]?.event_id ?? null;
    await drain(async () => {
      const { rows } = await db.query<{ events: number; logs: number; alerts: number; digests: number }>(PRUNE_EVENTS, [
        logsCutoff,
        batchSize,
        belowEventId,
        deadCutoff,
      ]);
      const row = rows[0] ?? { events: 0, logs: 0, alerts: 0, digests: 0 };
      count('notification_logs', row.logs);
      count('operator_alerts', row.alerts);
      count('digests', row.digests);
      count('lead_events', row.events);
      return row.events;
    });
    batchStartedAt = performance.now();
    const orphans = await db.query(PRUNE_ORPHANED_DIGESTS, [logsCutoff]);
    count('digests', orphans.rowCount ?? 0);
  }
  batchStartedAt = performance.now();
  const pending = await db.query(/* sql */ `DELETE FROM pending_erasures WHERE requested_at < $1`, [
    new Date(options.now.getTime() - PENDING_ERASURE_DAYS * DAY_MS),
  ]);
  count('pending_erasures', pending.rowCount ?? 0);
}
