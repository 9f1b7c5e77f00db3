/**
 * The deliveries a disabled webhook endpoint holds: for channel `$<channel>`, disabled at `$<since>`, the
 * (event, round) pairs whose last attempt closed after that moment without being sent and without a retry
 * of its own coming: the one that got the 410 (`failed`) and every one the worker set aside since
 * (`skipped`). Attempts start at most a delivery lease before they close, which bounds the index scan.
 * (`LIKE 'webhook:%'` lets the planner use the partial index.) Selects `id`, `event_id` and `round`; one definition for enabling an endpoint and for counting what it holds.
 */
export function heldDeliveriesSql(channel: string, since: string): string {
  return /* sql */ `
    SELECT DISTINCT ON (n.event_id, n.round) n.id, n.event_id, n.round
    FROM notification_logs n
    WHERE n.channel = ${channel} AND n.channel LIKE 'webhook:%'
      AND n.created_at >= ${since}::timestamptz - interval '10 minutes'
      AND n.finished_at >= ${since}::timestamptz
      AND n.status IN ('failed', 'skipped') AND n.next_attempt_at IS NULL AND n.retried_at IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM notification_logs later
        WHERE later.event_id = n.event_id AND later.channel = n.channel AND later.round = n.round
          AND (later.attempt > n.attempt OR later.status IN ('sending', 'sent')))
    ORDER BY n.event_id, n.round, n.attempt DESC`;
}
