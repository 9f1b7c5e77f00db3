import type { ConsentRecord } from '../capture/consent-record.ts';
import { withTransaction, type Pool, type PoolClient } from '../db/create-pool.ts';
import { appendEvents, newEvent } from '../events/append-events.ts';
import type { EventPayloads } from '../events/event-types.ts';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import { containsNeedle, likePatterns, personalNeedles, redactText } from './redact-personal-text.ts';
import { redactMatchingRows } from './redact-matching-rows.ts';
import { scrubJobData } from './scrub-job-data.ts';
import { scrubRawPayloads } from './scrub-raw-payloads.ts';

export type EraseVia = EventPayloads['lead.erased']['via'];

export interface EraseRequest {
  id: string;
  now: Date;
  /** Who asked (the audit log's actor and the timeline line's): `admin-api-key`, an operator's name. */
  actor: string;
  via: EraseVia;
  /**
   * When no lead has the id: remember the request (pending_erasures), so that a lead still waiting in a
   * spool is erased the moment it is written. Off where the lead is known to exist (the spool flusher).
   */
  rememberWhenMissing: boolean;
}

/** What one erasure removed, in counts (the audit entry's details). */
export interface ErasedCounts {
  messages: number;
  timeline_rows: number;
  raw_payloads: number;
  delivery_attempts: number;
  alerts: number;
  tasks_cancelled: number;
  digests: number;
  other_rows: number;
}

export type EraseResult =
  | { outcome: 'erased'; id: string; erasedAt: Date; counts: ErasedCounts }
  | { outcome: 'already_erased'; id: string; erasedAt: Date }
  /** No lead has the id (yet); with `rememberWhenMissing` the request waits in pending_erasures. */
  | { outcome: 'not_found'; id: string; remembered: boolean };

/**
 * An erasure may need a few seconds on a large database (the payload and job scans); the API's short
 * statement bound is for capture, not for this.
 */
const ERASE_STATEMENT_TIMEOUT = '60s';
const RETRIES_ON_CONFLICT = 3;

/**
 * `DELETE /api/admin/leads/:id` and `npm run erase`: removes every personal datum of a lead and keeps an
 * anonymous tombstone, in ONE transaction (all of it or none). Deadlocks with a concurrent writer are
 * retried. See eraseLeadInTransaction for what is removed and what stays.
 */
export async function eraseLead(pool: Pool, request: EraseRequest): Promise<EraseResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTransaction(pool, (client) => eraseLeadInTransaction(client, request));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= RETRIES_ON_CONFLICT || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}

interface LockedLead {
  id: string;
  source: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  idempotency_key: string;
  consent: unknown;
  erased_at: Date | null;
}

/**
 * The erasure itself, inside the caller's transaction (the spool flusher writes a lead and erases it in one).
 *
 * Removed: the name, email, phone, subject, message, custom fields and metadata (UTM values and answers may
 * name the person), score reason texts, the request fingerprint and an idempotency key that is a hash of the
 * request or names the person; the chat messages; every timeline description; the provider payloads
 * (scrubRawPayloads); and wherever the name, email or phone is quoted in a kept text (timeline titles,
 * delivery errors, alert texts, digests, ingestion errors, audit details, pg-boss jobs and warnings), the
 * value itself. Open follow-up tasks are cancelled.
 *
 * Kept, as the tombstone: the row's id, source, quality, score, status, times and SLA fields (so stats and
 * SLA figures do not move), provider ids that dedupe redeliveries, the consent record without its page, the
 * events (ids and numbers only), delivery attempts and the audit trail. Deliveries still queued are not
 * touched here: a delivery worker that finds the lead erased closes them as skipped (load-delivery-notices,
 * begin-delivery-attempts), also when they come out of a pause.
 */
export async function eraseLeadInTransaction(client: PoolClient, request: EraseRequest): Promise<EraseResult> {
  // NO KEY UPDATE: delivery workers that insert attempts (a foreign-key share lock on this row) are not held up.
  const { rows } = await client.query<LockedLead>(
    /* sql */ `SELECT id, source, external_id, name, email, phone, idempotency_key, consent, erased_at
                FROM conversations WHERE id = $1 FOR NO KEY UPDATE`,
    [request.id],
  );
  const lead = rows[0];
  if (!lead) {
    if (!request.rememberWhenMissing) return { outcome: 'not_found', id: request.id, remembered: false };
    await client.query(
      /* sql */ `INSERT INTO pending_erasures (lead_id, requested_at, requested_by) VALUES ($1, $2, $3) ON CONFLICT (lead_id) DO NOTHING`,
      [request.id, request.now, request.actor],
    );
    return { outcome: 'not_found', id: request.id, remembered: true };
  }
  if (lead.erased_at) return { outcome: 'already_erased', id: lead.id, erasedAt: lead.erased_at };
  // For the rest of this transaction only.
  await client.query(/* sql */ `SELECT set_config('statement_timeout', $1, true)`, [ERASE_STATEMENT_TIMEOUT]);

  const needles = personalNeedles(lead);
  const patterns = likePatterns(needles);
  const contacts = [lead.email, lead.phone].filter((value): value is string => value !== null);
  const keyPrefix = `${lead.source}:`;
  const providerIds = [lead.external_id, lead.idempotency_key.startsWith(keyPrefix) ? lead.idempotency_key.slice(keyPrefix.length) : null];

  // Payloads first: they are found by the provider ids the row still holds.
  const rawPayloads = await scrubRawPayloads(client, {
    source: lead.source,
    externalIds: providerIds.filter((value): value is string => value !== null),
    contacts,
    needles,
  });

  const keepKey = !lead.idempotency_key.startsWith('auto:') && !containsNeedle(lead.idempotency_key, needles);
  const keepExternalId = lead.external_id !== null && !containsNeedle(lead.external_id, needles);
  await client.query(
    /* sql */ `
    UPDATE conversations
       SET name = NULL, email = NULL, phone = NULL, subject = NULL, message = NULL,
           custom_fields = '{}'::jsonb, metadata = '{}'::jsonb,
           score_reasons = coalesce((SELECT jsonb_agg(CASE WHEN jsonb_typeof(r) = 'object' THEN r - 'detail' ELSE 'null'::jsonb END)
                                       FROM jsonb_array_elements(score_reasons) AS r), '[]'::jsonb),
           external_id = $2, idempotency_key = $3, request_fingerprint = NULL, consent = $4,
           erased_at = $5, updated_at = $5
     WHERE id = $1`,
    [
      lead.id,
      keepExternalId ? lead.external_id : null,
      keepKey ? lead.idempotency_key : `erased:${lead.id}`,
      tombstoneConsent(lead.consent, needles),
      request.now,
    ],
  );

  const messages = await client.query(/* sql */ `DELETE FROM chat_messages WHERE conversation_id = $1`, [lead.id]);
  const descriptions = await client.query(
    /* sql */ `UPDATE conversation_timeline SET description = NULL WHERE conversation_id = $1 AND description IS NOT NULL`,
    [lead.id],
  );
  const timelineTexts = await redactMatchingRows(
    client,
    {
      table: 'conversation_timeline',
      key: 'id',
      columns: [
        { name: 'title', type: 'text' },
        { name: 'actor_id', type: 'text' },
        { name: 'metadata', type: 'jsonb' },
      ],
      where: 'conversation_id = $1',
      values: [lead.id],
    },
    needles,
  );
  const tasks = await client.query(
    /* sql */ `UPDATE follow_up_tasks SET status = 'cancelled'
              WHERE conversation_id = $1 AND status IN ('scheduled', 'overdue')`,
    [lead.id],
  );
  const taskTexts = await redactMatchingRows(
    client,
    {
      table: 'follow_up_tasks',
      key: 'id',
      columns: [
        { name: 'title', type: 'text' },
        { name: 'completed_by', type: 'text' },
      ],
      where: 'conversation_id = $1',
      values: [lead.id],
    },
    needles,
  );
  const attempts = await redactMatchingRows(
    client,
    {
      table: 'notification_logs',
      key: 'id',
      columns: [
        { name: 'error_message', type: 'text' },
        { name: 'provider_message_id', type: 'text' },
        { name: 'destination', type: 'text' },
      ],
      where: 'conversation_id = $1',
      values: [lead.id],
    },
    needles,
  );
  const alerts = await redactMatchingRows(
    client,
    {
      table: 'operator_alerts',
      key: 'id',
      columns: [
        { name: 'title', type: 'text' },
        { name: 'detail', type: 'text' },
      ],
      where: 'event_id IN (SELECT id FROM lead_events WHERE conversation_id = $1)',
      values: [lead.id],
    },
    needles,
  );
  const events = await redactMatchingRows(
    client,
    {
      table: 'lead_events',
      key: 'id',
      columns: [
        { name: 'payload', type: 'jsonb' },
        { name: 'idempotency_key', type: 'text' },
      ],
      where: 'conversation_id = $1',
      values: [lead.id],
    },
    needles,
  );
  // Texts shared with other leads or with nobody: a digest names several breached leads, an ingestion error
  // or an audit detail could quote a value. Only the values are replaced.
  const digests = await redactMatchingRows(
    client,
    {
      table: 'digests',
      key: 'id',
      columns: [
        { name: 'subject', type: 'text' },
        { name: 'text', type: 'text' },
        { name: 'html', type: 'text' },
      ],
      where: '$1::uuid = ANY(named_lead_ids) OR subject ILIKE ANY($2::text[]) OR text ILIKE ANY($2::text[]) OR html ILIKE ANY($2::text[])',
      values: [lead.id, patterns],
    },
    needles,
  );
  const ingestionErrors = await redactMatchingRows(
    client,
    {
      table: 'ingestion_state',
      key: ['source', 'scope'],
      columns: [{ name: 'last_error', type: 'text' }],
      where: 'last_error ILIKE ANY($1::text[])',
      values: [patterns],
    },
    needles,
  );
  const auditEntries = await redactMatchingRows(
    client,
    {
      table: 'audit_log',
      key: 'id',
      columns: [
        { name: 'actor', type: 'text' },
        { name: 'target_id', type: 'text' },
        { name: 'details', type: 'jsonb' },
      ],
      where: 'details::text ILIKE ANY($1::text[]) OR actor ILIKE ANY($1::text[]) OR target_id ILIKE ANY($1::text[])',
      values: [patterns],
    },
    needles,
  );
  const jobRows = await scrubJobData(client, needles);
  await client.query(/* sql */ `DELETE FROM pending_erasures WHERE lead_id = $1`, [lead.id]);

  const counts: ErasedCounts = {
    messages: messages.rowCount ?? 0,
    timeline_rows: Math.max(descriptions.rowCount ?? 0, timelineTexts),
    raw_payloads: rawPayloads,
    delivery_attempts: attempts,
    alerts,
    tasks_cancelled: tasks.rowCount ?? 0,
    digests,
    other_rows: taskTexts + events + ingestionErrors + auditEntries + jobRows,
  };
  await appendEvents(client, [
    newEvent(
      'lead.erased',
      lead.id,
      { erased_at: request.now.toISOString(), via: request.via },
      {
        idempotencyKey: `lead.erased:${lead.id}`,
        createdAt: request.now,
        describe: { actor: request.via === 'spool' ? { type: 'system' } : { type: 'agent', id: request.actor } },
      },
    ),
  ]);
  await recordAdminAction(client, {
    actor: request.actor,
    action: 'lead.erase',
    targetType: 'lead',
    targetId: lead.id,
    details: { via: request.via, ...counts },
  });
  return { outcome: 'erased', id: lead.id, erasedAt: request.now, counts };
}

/**
 * The consent record a tombstone keeps as proof: given or not, what was agreed to, when and through which
 * source; the page goes (its URL can name the person). Null stays null.
 */
function tombstoneConsent(consent: unknown, needles: readonly string[]): string | null {
  if (consent === null || consent === undefined) return null;
  if (typeof consent !== 'object' || Array.isArray(consent)) return JSON.stringify({ given: consent === true, erased: true });
  const record = consent as Partial<ConsentRecord>;
  const kept: ConsentRecord = {
    given: record.given === true,
    version: typeof record.version === 'string' ? redactText(record.version, needles) : null,
    text: typeof record.text === 'string' ? redactText(record.text, needles) : null,
    page: null,
    given_at: typeof record.given_at === 'string' ? record.given_at : '',
    source: typeof record.source === 'string' ? record.source : '',
    ...(Array.isArray(record.checkboxes) ? { checkboxes: record.checkboxes } : {}),
    erased: true,
  };
  return JSON.stringify(kept);
}
