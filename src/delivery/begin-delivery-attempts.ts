import { withTransaction, type Pool, type Queryable } from '../db/create-pool.ts';
import type { ChannelName } from '../channels/channel.ts';

export interface DeliveryKey {
  eventId: string;
  round: number;
}

export interface BegunAttempt {
  logId: string;
  eventId: string;
  round: number;
  attempt: number;
  possibleDuplicate: boolean;
}

export interface BeginResult {
  started: BegunAttempt[];
  /** Another worker holds a live attempt; look again when its lease ends (it may die). */
  inFlight: { eventId: string; round: number; retryAt: Date }[];
  /** Everything else asked for was already sent: nothing to do. */
}

const INTERRUPTED_MESSAGE = 'the sending process stopped before recording the outcome; the provider may have received it';

/**
 * Starts one attempt per event for `channel`, as `sending` rows. The partial unique index on
 * (event_id, channel) WHERE status IN ('sending','sent') guarantees at most one live-or-sent attempt, so two
 * workers can never both send: the loser's INSERT does nothing. An attempt left `sending` longer than the
 * lease belongs to a process that died; it is closed as `interrupted`, and the next attempt is flagged as a
 * possible duplicate, since the provider may have accepted it. Call this right before sending.
 */
export async function beginDeliveryAttempts(
  pool: Pool,
  request: { channel: ChannelName; destination: string; deliveries: DeliveryKey[]; leaseMs: number },
): Promise<BeginResult> {
  // The common case is one statement: nobody else holds these deliveries and none was sent before.
  const fast = await insertAttempts(pool, request.channel, request.destination, request.deliveries);
  if (fast.length === request.deliveries.length) return { started: fast, inFlight: [] };
  const startedKeys = new Set(fast.map((attempt) => `${attempt.eventId}:${attempt.round}`));
  const rest = request.deliveries.filter((delivery) => !startedKeys.has(`${delivery.eventId}:${delivery.round}`));
  const slow = await beginContestedAttempts(pool, { ...request, deliveries: rest });
  return { started: [...fast, ...slow.started], inFlight: slow.inFlight };
}

const INSERT_ATTEMPTS = /* sql */ `
  INSERT INTO notification_logs (event_id, conversation_id, channel, destination, status, round, attempt, possible_duplicate, started_at, dispatched_at)
  SELECT e.id, e.conversation_id, $1, $2, 'sending', wanted.round,
         1 + coalesce(previous.attempt, 0),
         coalesce(previous.error_kind = 'interrupted' AND previous.dispatched_at IS NOT NULL, false),
         now(), now()
  FROM unnest($3::bigint[], $4::int[]) AS wanted(event_id, round)
  JOIN lead_events e ON e.id = wanted.event_id
  LEFT JOIN LATERAL (
    SELECT n.attempt, n.error_kind, n.dispatched_at FROM notification_logs n
    WHERE n.event_id = e.id AND n.channel = $1
    ORDER BY n.attempt DESC LIMIT 1
  ) previous ON true
  ON CONFLICT (event_id, channel, round) WHERE status IN ('sending', 'sent') DO NOTHING
  RETURNING id::text, event_id::text, round, attempt, possible_duplicate`;

/**
 * Attempts are started immediately before their message goes to the provider, so `dispatched_at` is set
 * with them: an interrupted attempt always counts as possibly delivered.
 */
async function insertAttempts(db: Queryable, channel: ChannelName, destination: string, deliveries: DeliveryKey[]): Promise<BegunAttempt[]> {
  const { rows } = await db.query<{ id: string; event_id: string; round: number; attempt: number; possible_duplicate: boolean }>({
    name: 'begin-delivery-attempts',
    text: INSERT_ATTEMPTS,
    values: [channel, destination, deliveries.map((delivery) => delivery.eventId), deliveries.map((delivery) => delivery.round)],
  });
  return rows.map((row) => ({ logId: row.id, eventId: row.event_id, round: row.round, attempt: row.attempt, possibleDuplicate: row.possible_duplicate }));
}

/** The rare path: close attempts of dead processes, try again, and report the ones others still hold. */
async function beginContestedAttempts(
  pool: Pool,
  request: { channel: ChannelName; destination: string; deliveries: DeliveryKey[]; leaseMs: number },
): Promise<BeginResult> {
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
          AND n.started_at < now() - make_interval(secs => $4::double precision / 1000)`,
      values: [request.channel, eventIds, rounds, request.leaseMs, INTERRUPTED_MESSAGE],
    });
    const started = await insertAttempts(client, request.channel, request.destination, request.deliveries);
    const startedIds = started.map((attempt) => attempt.logId);
    const inFlight = await client.query<{ event_id: string; round: number; retry_at: Date }>({
      name: 'find-in-flight-attempts',
      text: /* sql */ `
        SELECT n.event_id::text, n.round, n.started_at + make_interval(secs => $5::double precision / 1000) AS retry_at
        FROM notification_logs n
        JOIN unnest($2::bigint[], $3::int[]) AS wanted(event_id, round) ON n.event_id = wanted.event_id AND n.round = wanted.round
        WHERE n.channel = $1 AND n.status = 'sending' AND NOT (n.id = ANY($4::bigint[]))`,
      values: [request.channel, eventIds, rounds, startedIds, request.leaseMs],
    });
    return {
      started,
      inFlight: inFlight.rows.map((row) => ({ eventId: row.event_id, round: row.round, retryAt: row.retry_at })),
    };
  });
}
