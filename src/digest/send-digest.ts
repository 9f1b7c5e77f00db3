import { withTransaction, type Pool } from '../db/create-pool.ts';
import { appendEvents, newEvent } from '../events/append-events.ts';
import type { Clock } from '../shared/clock.ts';
import { buildDigest, type Digest } from './build-digest.ts';
import { renderDigest, type RenderedDigest } from './render-digest.ts';

export interface SendDigestDeps {
  db: Pool;
  clock: Clock;
  /** DIGEST_TZ: the zone whose calendar day the digest covers. */
  timeZone: string;
  /** Link to the admin panel in the digest, e.g. `${PUBLIC_URL}/admin`. */
  adminUrl?: string | undefined;
}

export interface SendDigestResult {
  /** False when the digest of this date had already been written: nothing new was sent. */
  sent: boolean;
  eventId: string | null;
  /** The `digests` row that holds the rendered digest (null for a day sent before that table existed and not moved). */
  digestId: string | null;
  /** When the digest of this date was first written (now, or by an earlier run). */
  sentAt: Date | null;
  digest: Digest;
  rendered: RenderedDigest;
}

export const digestIdempotencyKey = (date: string) => `digest:${date}`;

/**
 * The digest row: it holds the rendered digest (which names breached leads). Skipped when the day's event
 * already exists (a day sent before the `digests` table); the unique `digest_date` lets exactly one of
 * several racing writers insert. Its `digest.sent` event (ids, the date and counts only: staff read the
 * event stream live) is appended in the same transaction, so a row never exists without its event.
 */
const INSERT_DIGEST = /* sql */ `
INSERT INTO digests (digest_date, time_zone, subject, text, html, counts, named_lead_ids, created_at)
SELECT $1::date, $2, $3, $4, $5, $6::jsonb, $7::uuid[], $8
 WHERE NOT EXISTS (SELECT 1 FROM lead_events WHERE idempotency_key = $9)
ON CONFLICT (digest_date) DO NOTHING
RETURNING id::text, created_at`;

/**
 * Writes the digest of `date` as one `digests` row and one `digest.sent` event (the relay delivers it to
 * LEAD_DIGEST_EMAIL and Slack). Keyed on the date, so however many workers or hand runs try, a day is sent once.
 */
export async function sendDigest(deps: SendDigestDeps, date: string): Promise<SendDigestResult> {
  const digest = await buildDigest(deps.db, date, deps.timeZone);
  const rendered = renderDigest(digest, { adminUrl: deps.adminUrl });
  const key = digestIdempotencyKey(date);
  const payload = { date, leads: digest.leads.total, breaches: digest.breaches.total, failed_deliveries: digest.failedDeliveries.total };
  const written = await withTransaction(deps.db, async (client) => {
    const inserted = await client.query<{ id: string; created_at: Date }>(INSERT_DIGEST, [
      date,
      deps.timeZone,
      rendered.subject,
      rendered.text,
      rendered.html,
      JSON.stringify(countsOf(digest)),
      digest.breaches.leads.map((lead) => lead.id),
      deps.clock.now(),
      key,
    ]);
    const row = inserted.rows[0];
    if (!row) return undefined;
    const [event] = await appendEvents(client, [
      newEvent('digest.sent', null, { digest_id: row.id, ...payload }, { idempotencyKey: key, createdAt: row.created_at }),
    ]);
    return event ? { eventId: event.id, digestId: row.id, sentAt: row.created_at } : undefined;
  });
  if (written) return { sent: true, ...written, digest, rendered };
  const existing = await deps.db.query<{ id: string; digest_id: string | null; created_at: Date }>(
    /* sql */ `SELECT e.id::text, d.id::text AS digest_id, e.created_at
                 FROM lead_events e LEFT JOIN digests d ON d.digest_date = $2::date
                WHERE e.idempotency_key = $1`,
    [key, date],
  );
  const found = existing.rows[0];
  return {
    sent: false,
    eventId: found?.id ?? null,
    digestId: found?.digest_id ?? null,
    sentAt: found?.created_at ?? null,
    digest,
    rendered,
  };
}

/** The digest's numbers without the breached leads it names. */
function countsOf(digest: Digest): Omit<Digest, 'date' | 'timeZone' | 'from' | 'to' | 'breaches'> & { breaches: { total: number } } {
  return {
    leads: digest.leads,
    response: digest.response,
    sla: digest.sla,
    breaches: { total: digest.breaches.total },
    failedDeliveries: digest.failedDeliveries,
  };
}
