import type { Queryable } from '../db/create-pool.ts';
import { appendEventsSql, encodeEvents, newEvent } from '../events/append-events.ts';
import type { LeadQuality as Quality } from '../leads/lead-vocabulary.ts';
import { roundRobinPickSql } from '../leads/round-robin-pick-sql.ts';
import type { ConsentRecord } from './consent-record.ts';

export interface CapturedLeadRow {
  /** Made in Node (a UUIDv7), so a lead kept in the spool keeps its id when it reaches the table. */
  id: string;
  source: string;
  externalId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  subject: string | null;
  message: string | null;
  serviceType: string | null;
  urgency: string | null;
  propertyId: string | null;
  propertyTitle: string | null;
  customFields: Record<string, unknown>;
  quality: Quality;
  score: number;
  scoreReasons: unknown[];
  metadata: Record<string, unknown>;
  consent: ConsentRecord | null;
  idempotencyKey: string;
  /** A key that also counts as "already captured" when its lead is younger than ten minutes. */
  previousWindowKey: string | null;
  /** A hash of the normalised request: a reused key with another fingerprint is refused. */
  requestFingerprint: string;
  createdAt: Date;
  slaDeadline: Date;
  slaWarningAt: Date;
  messages: { role: string; content: string; sent_at: string | null }[];
  timelineTitle: string;
  timelineDescription: string;
  /** Assign the lead by round robin as it is stored (ASSIGNMENT=round_robin when it was captured). */
  roundRobin?: boolean;
}

/**
 * The whole capture as ONE statement (one round trip, one implicit transaction): the lead, its messages, the
 * `lead.created` event and its timeline row (appendEventsSql) commit together or not at all. The lead_events
 * trigger NOTIFYs the relay. Returns no row when the idempotency key was already used; the caller then looks
 * it up.
 */
const INSERT_CAPTURED_LEAD = /* sql */ `
WITH ${roundRobinPickSql({ enabled: '$27', source: '$1', idempotencyKey: '$18', previousWindowKey: '$22', createdAt: '$19' })},
lead AS (
  INSERT INTO conversations (
    id, source, external_id, name, email, phone, subject, message, service_type, urgency, property_id,
    property_title, custom_fields, quality, score, score_reasons, metadata, consent, idempotency_key,
    created_at, updated_at, sla_response_deadline, sla_warning_at, request_fingerprint, assigned_to)
  SELECT $24, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20, $21, $25,
         (SELECT agent_id FROM rr_picked)
  WHERE NOT EXISTS (
    SELECT 1 FROM conversations WHERE idempotency_key = $22 AND created_at > $19::timestamptz - interval '10 minutes')
  ON CONFLICT DO NOTHING
  RETURNING id, quality, sla_response_deadline, created_at, assigned_to
), messages AS (
  INSERT INTO chat_messages (conversation_id, role, content, sent_at, position)
  SELECT lead.id, m.role, m.content, coalesce(m.sent_at, lead.created_at), m.ord - 1
  FROM lead,
       ROWS FROM (jsonb_to_recordset($23::jsonb) AS (role text, content text, sent_at timestamptz))
         WITH ORDINALITY AS m(role, content, sent_at, ord)
),${appendEventsSql(
  {
    // lead.created, and the round-robin choice as a fact (lead.assigned with its timeline row) when one was
    // made: $28 is that event encoded with a null agent, which the picked agent fills in.
    expression: `$26::jsonb || coalesce((
      SELECT jsonb_build_array(jsonb_set(jsonb_set($28::jsonb, '{payload,agent_id}', to_jsonb(lead.assigned_to::text)),
                                         '{timeline,metadata,agent_id}', to_jsonb(lead.assigned_to::text)))
      FROM lead WHERE lead.assigned_to IS NOT NULL), '[]'::jsonb)`,
  },
  { when: 'EXISTS (SELECT 1 FROM lead)' },
)}
SELECT id, quality, sla_response_deadline FROM lead`;

/** The round-robin lead.assigned event of `leadId`, its agent left null for the statement to fill in. */
function roundRobinAssignedEvent(row: CapturedLeadRow): string {
  const [encoded] = JSON.parse(
    encodeEvents([
      newEvent(
        'lead.assigned',
        row.id,
        { agent_id: null, previous_agent_id: null, via: 'round_robin' },
        {
          idempotencyKey: `lead.assigned:round_robin:${row.id}`,
          createdAt: row.createdAt,
          describe: { detail: 'Assigned by round robin.' },
        },
      ),
    ]),
  ) as unknown[];
  return JSON.stringify(encoded);
}

/** The lead's `lead.created` event, with the timeline text the row was built with. */
export function leadCreatedEvent(row: CapturedLeadRow) {
  return newEvent(
    'lead.created',
    row.id,
    { source: row.source, quality: row.quality, score: row.score, sla_deadline: row.slaDeadline.toISOString() },
    { createdAt: row.createdAt, timeline: { title: row.timelineTitle, description: row.timelineDescription, actor: { type: 'customer' } } },
  );
}

export async function insertCapturedLead(
  db: Queryable,
  row: CapturedLeadRow,
): Promise<{ id: string; quality: Quality; slaDeadline: Date } | undefined> {
  const result = await db.query<{ id: string; quality: Quality; sla_response_deadline: Date }>({
    name: 'insert-captured-lead',
    text: INSERT_CAPTURED_LEAD,
    values: [
      row.source,
      row.externalId,
      row.name,
      row.email,
      row.phone,
      row.subject,
      row.message,
      row.serviceType,
      row.urgency,
      row.propertyId,
      row.propertyTitle,
      JSON.stringify(row.customFields),
      row.quality,
      row.score,
      JSON.stringify(row.scoreReasons),
      JSON.stringify(row.metadata),
      row.consent === null ? null : JSON.stringify(row.consent),
      row.idempotencyKey,
      row.createdAt,
      row.slaDeadline,
      row.slaWarningAt,
      row.previousWindowKey,
      JSON.stringify(row.messages),
      row.id,
      row.requestFingerprint,
      encodeEvents([leadCreatedEvent(row)]),
      row.roundRobin === true,
      row.roundRobin === true ? roundRobinAssignedEvent(row) : null,
    ],
  });
  const lead = result.rows[0];
  return lead ? { id: lead.id, quality: lead.quality, slaDeadline: lead.sla_response_deadline } : undefined;
}

export interface StoredLeadRef {
  id: string;
  quality: Quality;
  slaDeadline: Date;
  /** NULL for leads stored before fingerprints existed. */
  requestFingerprint: string | null;
}

export async function findLeadByIdempotencyKeys(db: Queryable, keys: string[]): Promise<StoredLeadRef | undefined> {
  const result = await db.query<{ id: string; quality: Quality; sla_response_deadline: Date; request_fingerprint: string | null }>({
    name: 'find-lead-by-idempotency-keys',
    text: /* sql */ `SELECT id, quality, sla_response_deadline, request_fingerprint FROM conversations
                     WHERE idempotency_key = ANY($1::text[]) ORDER BY created_at LIMIT 1`,
    values: [keys],
  });
  const lead = result.rows[0];
  return lead
    ? { id: lead.id, quality: lead.quality, slaDeadline: lead.sla_response_deadline, requestFingerprint: lead.request_fingerprint }
    : undefined;
}
