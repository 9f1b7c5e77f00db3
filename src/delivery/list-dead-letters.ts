import type { Queryable } from '../db/create-pool.ts';

export interface DeadLetters {
  deliveries: {
    id: string;
    notification_log_id: string;
    event_id: string;
    event_type: string;
    conversation_id: string | null;
    lead_name: string | null;
    channel: string;
    attempt: number;
    error_kind: string | null;
    error_message: string | null;
    failed_at: Date | null;
  }[];
  ingestion: {
    id: string;
    raw_lead_id: string;
    source: string;
    external_id: string | null;
    status: string;
    error_message: string | null;
    attempts: number;
    received_at: Date;
  }[];
}

/**
 * Dead deliveries not yet retried and not since delivered, and provider payloads that could not be
 * ingested. Ids are prefixed (`delivery-…`, `ingestion-…`) so one retry route serves both.
 */
export async function listDeadLetters(db: Queryable, limit = 200): Promise<DeadLetters> {
  const [deliveries, ingestion] = await Promise.all([
    db.query<DeadLetters['deliveries'][number]>({
      name: 'list-dead-deliveries',
      text: /* sql */ `
        SELECT 'delivery-' || n.id AS id, n.id::text AS notification_log_id, n.event_id::text, e.event_type,
               n.conversation_id, c.name AS lead_name, n.channel, n.attempt, n.error_kind, n.error_message,
               n.finished_at AS failed_at
        FROM notification_logs n
        JOIN lead_events e ON e.id = n.event_id
        LEFT JOIN conversations c ON c.id = n.conversation_id
        WHERE n.status = 'dead' AND n.retried_at IS NULL
          AND NOT EXISTS (
            SELECT 1 FROM notification_logs later
            WHERE later.event_id = n.event_id AND later.channel = n.channel AND later.status IN ('sending', 'sent'))
        ORDER BY n.created_at DESC
        LIMIT $1`,
      values: [limit],
    }),
    db.query<DeadLetters['ingestion'][number]>({
      name: 'list-failed-ingestion',
      text: /* sql */ `
        SELECT 'ingestion-' || id AS id, id::text AS raw_lead_id, source, external_id, status, error_message, attempts, received_at
        FROM raw_leads
        WHERE status IN ('failed', 'paused')
        ORDER BY received_at DESC
        LIMIT $1`,
      values: [limit],
    }),
  ]);
  return { deliveries: deliveries.rows, ingestion: ingestion.rows };
}
