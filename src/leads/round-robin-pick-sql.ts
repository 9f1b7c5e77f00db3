/**
 * The CTEs that pick a new lead's agent by round robin inside the capture statement, defining `rr_picked`
 * (one row, `agent_id`, or none). The eligible agents are the active ones with role `agent` whose `sources`
 * is unset or names the lead's source, in id order (ids are UUIDv7, so that is the order they were added).
 *
 * Fair across processes because the turn is a database fact: `UPDATE assignment_cursor … RETURNING` takes
 * the cursor row's lock, so concurrent captures queue on it and each reads the counter the previous one left
 * (the update re-reads the newest row version after the wait). The n-th turn goes to the (n mod eligible)-th
 * agent. A turn is taken only when there is someone to pick and the lead is not a repeat of a stored one (the
 * same key checks as the insert), so duplicates do not skip an agent. With agents limited to different
 * sources one counter serves every source: each source still cycles through its own agents, in turn.
 *
 * Placeholders: `enabled` (boolean), `source`, `idempotencyKey`, `previousWindowKey`, `createdAt`.
 */
export function roundRobinPickSql(p: {
  enabled: string;
  source: string;
  idempotencyKey: string;
  previousWindowKey: string;
  createdAt: string;
}): string {
  return /* sql */ `
  rr_eligible AS MATERIALIZED (
    SELECT a.id, (row_number() OVER (ORDER BY a.id) - 1)::bigint AS position, count(*) OVER ()::bigint AS eligible
    FROM agents a
    WHERE ${p.enabled}::boolean AND a.active AND a.role = 'agent' AND (a.sources IS NULL OR ${p.source}::text = ANY (a.sources))
      AND NOT EXISTS (SELECT 1 FROM conversations WHERE idempotency_key = ${p.idempotencyKey})
      AND NOT EXISTS (SELECT 1 FROM conversations
                       WHERE idempotency_key = ${p.previousWindowKey} AND created_at > ${p.createdAt}::timestamptz - interval '10 minutes')
  ), rr_turn AS (
    UPDATE assignment_cursor SET counter = counter + 1
    WHERE id AND EXISTS (SELECT 1 FROM rr_eligible)
    RETURNING counter - 1 AS turn
  ), rr_picked AS (
    SELECT e.id AS agent_id FROM rr_eligible e CROSS JOIN rr_turn t WHERE e.position = t.turn % e.eligible
  )`;
}
