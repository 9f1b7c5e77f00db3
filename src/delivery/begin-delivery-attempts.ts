import { withTransaction, type Pool, type Queryable } from '../db/create-pool.ts';
import type { ChannelName } from '../shared/channel-names.ts';
import { PROCESS_LEASE_MS } from '../presence/start-process-presence.ts';
import type { DeliveryKey } from './plan-delivery-groups.ts';

export type { DeliveryKey };

export interface BegunAttempt {
  logId: string;
  eventId: string;
  round: number;
  attempt: number;
  possibleDuplicate: boolean;
  /**
   * The event's lead was erased by the time the attempt started (after its notice was loaded, e.g. while the
   * message waited for its send slot): the attempt must be closed as skipped, never sent.
   */
  leadErased: boolean;
}

export interface BeginResult {
  started: BegunAttempt[];
  /** Another live process holds the attempt; look again at `retryAt` (it may die meanwhile). */
  inFlight: { eventId: string; round: number; retryAt: Date }[];
  /** Everything else asked for was already sent: nothing to do. */
}

const INTERRUPTED_MESSAGE = 'the sending process stopped before recording the outcome; the provider may have received it';

export interface BeginRequest {
  channel: ChannelName;
  destination: string;
  deliveries: DeliveryKey[];
  /** An attempt `sending` longer than this is closed even if its process still beats. */
  leaseMs: number;
  /** This process (`worker_processes.id`): the owner of the attempts it starts. */
  processId: string;
  /**
   * The attempts this process's handlers still hold: any other own attempt still `sending` was left by a
   * handler that failed, and is closed as interrupted at once.
   */
  heldByThisProcess: readonly string[];
}

/**
 * Starts one attempt per event for `channel`, as `sending` rows owned by this process. The partial unique
 * index on (event_id, channel, round) WHERE status IN ('sending','sent') guarantees at most one
 * live-or-sent attempt, so two workers can never both send: the loser's INSERT does nothing. An attempt
 * whose process is dead (it stopped beating, or shut down) or that outlived the lease is closed as
 * `interrupted`, and the next attempt is flagged as a possible duplicate when the interrupted one had been
 * dispatched, since the provider may have accepted it. Call this right before sending.
 */
export async function beginDeliveryAttempts(pool: Pool, request: BeginRequest): Promise<BeginResult> {
  // The common case is one statement: nobody else holds these deliveries and none was sent before.
  const fast = await insertAttempts(pool, request, request.deliveries);
  if (fast.length === request.deliveries.length) return { started: fast, inFlight: [] };
  const startedKeys = new Set(fast.map((attempt) => `${attempt.eventId}:${attempt.round}`));
  const rest = request.deliveries.filter((delivery) => !startedKeys.has(`${delivery.eventId}:${delivery.round}`));
  const slow = await beginContestedAttempts(pool, { ...request, deliveries: rest });
  return { started: [...fast, ...slow.started], inFlight: slow.inFlight };
}

/**
 * Every lookup here is by primary key and written so that its plan cannot be anything else: a LATERAL with
 * LIMIT is not flattened into a join, and a scalar subquery is never hashed. Written as a plain join and an
 * EXISTS, the planner hashed the whole outbox and scanned every lead on each call while its statistics lagged
 * behind the growing tables (5 ms per call after 5,000 leads, growing with them; docs/benchmarks.md).
 */
const INSERT_ATTEMPTS = /* sql */ `
  INSERT INTO notification_logs (event_id, conversation_id, channel, destination, status, round, attempt, possible_duplicate, started_at, dispatched_at, process_id)
  SELECT e.id, e.conversation_id, $1, $2, 'sending', wanted.round,
         1 + coalesce(previous.attempt, 0),
         coalesce(previous.error_kind = 'interrupted' AND previous.dispatched_at IS NOT NULL, false),
         now(), now(), $5::uuid
  FROM unnest($3::bigint[], $4::int[]) AS wanted(event_id, round)
  CROSS JOIN LATERAL (SELECT id, conversation_id FROM lead_events WHERE id = wanted.event_id LIMIT 1) e
  LEFT JOIN LATERAL (
    SELECT n.attempt, n.error_kind, n.dispatched_at FROM notification_logs n
    WHERE n.event_id = e.id AND n.channel = $1
    ORDER BY n.attempt DESC LIMIT 1
  ) previous ON true
  ON CONFLICT (event_id, channel, round) WHERE status IN ('sending', 'sent') DO NOTHING
  RETURNING id::text, event_id::text, round, attempt, possible_duplicate,
            coalesce((SELECT c.erased_at IS NOT NULL FROM conversations c WHERE c.id = notification_logs.conversation_id), false) AS lead_erased`;

/**
 * Attempts are started immediately before their message goes to the provider, so `dispatched_at` is set
 * with them: an interrupted attempt always counts as possibly delivered.
 */
async function insertAttempts(db: Queryable, request: BeginRequest, deliveries: DeliveryKey[]): Promise<BegunAttempt[]> {
  const { rows } = await db.query<{
    id: string;
    event_id: string;
    round: number;
    attempt: number;
    possible_duplicate: boolean;
    lead_erased: boolean;
  }>({
    name: 'begin-delivery-attempts',
    text: INSERT_ATTEMPTS,
    values: [
      request.channel,
      request.destination,
      deliveries.map((delivery) => delivery.eventId),
      deliveries.map((delivery) => delivery.round),
      request.processId,
    ],
  });
  return rows.map((row) => ({
    logId: row.id,
    eventId: row.event_id,
    round: row.round,
    attempt: row.attempt,
    possibleDuplicate: row.possible_duplicate,
    leadErased: row.lead_erased,
  }));
}

/**
 * Whether nobody can finish attempt `n` any more: its process is gone (it shut down, or stopped beating for a
 * lease), or it is this process's own and no handler here holds it. Attempts from before process ownership
 * existed (process_id NULL) have only the delivery lease.
 */
const OWNER_IS_GONE = /* sql */ `
  (n.process_id = $6::uuid AND NOT (n.id = ANY($8::bigint[])))
  OR (n.process_id IS NOT NULL AND n.process_id <> $6::uuid AND NOT EXISTS (
    SELECT 1 FROM worker_processes p
    WHERE p.id = n.process_id AND p.stopped_at IS NULL
      AND p.heartbeat_at > now() - make_interval(secs => $7::double precision / 1000)))`;

/** The rare path: close attempts of dead processes, try again, and report the ones live processes hold. */
async function beginContestedAttempts(pool: Pool, request: BeginRequest): Promise<BeginResult> {
  const eventIds = request.deliveries.map((delivery) => delivery.eventId);
  const rounds = request.deliveries.map((delivery) => delivery.round);
  return withTransaction(pool, async (client) => {
    await client.query({
      name: 'close-interrupted-attempts',
      text: /* sql */ `
        UPDATE notification_logs n
        SET status = 'failed', error_kind = 'interrupted', error_message = $5, finished_at = now()
        FROM unnest($2::bigint[], $3::int[]) AS wanted(event_id, round)
        WHERE n.channel = $1 AND n.event_id = wanted.event_id AND n.round = wanted.round AND n.status = 'sending'
          AND (n.started_at < now() - make_interval(secs => $4::double precision / 1000) OR ${OWNER_IS_GONE})`,
      values: [
        request.channel,
        eventIds,
        rounds,
        request.leaseMs,
        INTERRUPTED_MESSAGE,
        request.processId,
        PROCESS_LEASE_MS,
        request.heldByThisProcess,
      ],
    });
    const started = await insertAttempts(client, request, request.deliveries);
    const startedIds = started.map((attempt) => attempt.logId);
    // Held by a live process: look again when it would count as dead if it stopped beating now, and at the
    // latest when the attempt's lease ends.
    const inFlight = await client.query<{ event_id: string; round: number; retry_at: Date }>({
      name: 'find-in-flight-attempts',
      text: /* sql */ `
        SELECT n.event_id::text, n.round,
               least(n.started_at + make_interval(secs => $5::double precision / 1000),
                     coalesce(p.heartbeat_at, n.started_at) + make_interval(secs => $6::double precision / 1000 + 1)) AS retry_at
        FROM notification_logs n
        JOIN unnest($2::bigint[], $3::int[]) AS wanted(event_id, round) ON n.event_id = wanted.event_id AND n.round = wanted.round
        LEFT JOIN worker_processes p ON p.id = n.process_id
        WHERE n.channel = $1 AND n.status = 'sending' AND NOT (n.id = ANY($4::bigint[]))`,
      values: [request.channel, eventIds, rounds, startedIds, request.leaseMs, PROCESS_LEASE_MS],
    });
    return {
      started,
      inFlight: inFlight.rows.map((row) => ({ eventId: row.event_id, round: row.round, retryAt: row.retry_at })),
    };
  });
}
