import type { Pool } from '../db/create-pool.ts';
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
  /** When the digest of this date was first written (now, or by an earlier run). */
  sentAt: Date | null;
  digest: Digest;
  rendered: RenderedDigest;
}

export const digestIdempotencyKey = (date: string) => `digest:${date}`;

/**
 * Writes the digest of `date` as one `digest.sent` event (the relay delivers it to LEAD_DIGEST_EMAIL and
 * Slack). Keyed on the date, so however many workers or hand runs try, a day is sent once.
 */
export async function sendDigest(deps: SendDigestDeps, date: string): Promise<SendDigestResult> {
  const digest = await buildDigest(deps.db, date, deps.timeZone);
  const rendered = renderDigest(digest, { adminUrl: deps.adminUrl });
  const key = digestIdempotencyKey(date);
  const inserted = await deps.db.query<{ id: string; created_at: Date }>(
    /* sql */ `INSERT INTO lead_events (event_type, payload, idempotency_key, created_at)
               VALUES ('digest.sent', $1, $2, $3)
               ON CONFLICT (idempotency_key) DO NOTHING
               RETURNING id::text, created_at`,
    [JSON.stringify({ date, time_zone: deps.timeZone, subject: rendered.subject, text: rendered.text, html: rendered.html, stats: digest }), key, deps.clock.now()],
  );
  const row = inserted.rows[0];
  if (row) return { sent: true, eventId: row.id, sentAt: row.created_at, digest, rendered };
  const existing = await deps.db.query<{ id: string; created_at: Date }>(
    /* sql */ `SELECT id::text, created_at FROM lead_events WHERE idempotency_key = $1`,
    [key],
  );
  return { sent: false, eventId: existing.rows[0]?.id ?? null, sentAt: existing.rows[0]?.created_at ?? null, digest, rendered };
}
