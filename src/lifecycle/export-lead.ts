import { z } from 'zod';
import type { Queryable } from '../db/create-pool.ts';

/** The version of the export document; a change that removes or renames a field gets a new one. */
export const LEAD_EXPORT_FORMAT = 'leadline.lead-export.v1';

const json = z.unknown();
const row = z.record(z.string(), json);

/**
 * `GET /api/admin/leads/:id/export`: everything Leadline holds about one lead, in one document (GDPR Art. 15,
 * CCPA "right to know"). Delivery attempts come without their destination (a webhook URL, a chat id, a
 * recipient address: the team's, not the lead's, and some are secrets). Raw payloads are the provider
 * bodies as received. `named_in_digests` lists the dates of daily digests that name the lead (their text
 * names other leads too, so it is not copied here).
 */
export const leadExportSchema = z.object({
  format: z.literal(LEAD_EXPORT_FORMAT),
  exported_at: z.string(),
  lead: row,
  consent: json,
  messages: z.array(row),
  timeline: z.array(row),
  events: z.array(row),
  deliveries: z.array(row),
  alerts: z.array(row),
  tasks: z.array(row),
  raw_payloads: z.array(row),
  audit: z.array(row),
  named_in_digests: z.array(z.string()),
});
export type LeadExport = z.infer<typeof leadExportSchema>;

/**
 * One statement, so every part is read in one snapshot. The raw payloads are the lead's by (source,
 * provider id): Meta's leadgen id, or a signed sender's webhook id (the tail of the lead's idempotency key).
 */
const EXPORT_LEAD = /* sql */ `
SELECT
  to_jsonb(c) - 'consent' AS lead,
  c.consent,
  (SELECT coalesce(jsonb_agg(to_jsonb(m) - 'conversation_id' ORDER BY m.position, m.id), '[]'::jsonb)
     FROM chat_messages m WHERE m.conversation_id = c.id) AS messages,
  (SELECT coalesce(jsonb_agg(to_jsonb(t) - 'conversation_id' ORDER BY t.created_at, t.id), '[]'::jsonb)
     FROM conversation_timeline t WHERE t.conversation_id = c.id) AS timeline,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', e.id::text, 'event_type', e.event_type, 'payload', e.payload,
                                                'created_at', e.created_at, 'processed_at', e.processed_at) ORDER BY e.id), '[]'::jsonb)
     FROM lead_events e WHERE e.conversation_id = c.id) AS events,
  (SELECT coalesce(jsonb_agg(to_jsonb(n) - 'destination' - 'conversation_id' - 'process_id' ORDER BY n.id), '[]'::jsonb)
     FROM notification_logs n WHERE n.conversation_id = c.id) AS deliveries,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'event_id', a.event_id::text, 'title', a.title, 'detail', a.detail,
                                                'created_at', a.created_at) ORDER BY a.id), '[]'::jsonb)
     FROM operator_alerts a JOIN lead_events e ON e.id = a.event_id WHERE e.conversation_id = c.id) AS alerts,
  (SELECT coalesce(jsonb_agg(to_jsonb(f) - 'conversation_id' ORDER BY f.created_at, f.id), '[]'::jsonb)
     FROM follow_up_tasks f WHERE f.conversation_id = c.id) AS tasks,
  (SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.id), '[]'::jsonb)
     FROM raw_leads r
    WHERE r.source = c.source
      AND r.external_id = ANY(ARRAY[c.external_id,
                                    CASE WHEN starts_with(c.idempotency_key, c.source || ':')
                                         THEN substr(c.idempotency_key, length(c.source) + 2) END])) AS raw_payloads,
  (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.id), '[]'::jsonb)
     FROM audit_log l
    WHERE (l.target_type = 'lead' AND l.target_id = c.id::text)
       OR (l.target_type = 'task' AND l.target_id IN (SELECT id::text FROM follow_up_tasks WHERE conversation_id = c.id))) AS audit,
  ARRAY(SELECT d.digest_date::text FROM digests d WHERE c.id = ANY(d.named_lead_ids) ORDER BY d.digest_date) AS named_in_digests
FROM conversations c
WHERE c.id = $1 AND c.erased_at IS NULL`;

/** Undefined when no lead has the id or it was erased (nothing personal is held about it then). */
export async function exportLead(db: Queryable, id: string, now: Date): Promise<LeadExport | undefined> {
  const { rows } = await db.query<Omit<LeadExport, 'format' | 'exported_at'>>(EXPORT_LEAD, [id]);
  const found = rows[0];
  if (!found) return undefined;
  return { format: LEAD_EXPORT_FORMAT, exported_at: now.toISOString(), ...found };
}
