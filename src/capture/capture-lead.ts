import type { Queryable } from '../db/create-pool.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import { AppError, isDatabaseUnavailable } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { Spool } from '../spool/open-spool.ts';
import { buildCapturedLead, type CaptureSettings } from './build-captured-lead.ts';
import { findLeadByIdempotencyKeys, insertCapturedLead, type CapturedLeadRow } from './insert-captured-lead.ts';
import type { CaptureResult, LeadDraft } from './lead-draft.ts';

export { DOUBLE_SUBMIT_WINDOW_MS } from './build-captured-lead.ts';

export interface CaptureDeps extends CaptureSettings {
  db: Queryable;
  clock: Clock;
  /**
   * Where a validated lead is kept when the database cannot be reached or does not answer within
   * `databaseTimeoutMs`; without one such a capture fails (503, the sender retries).
   */
  spool?: Spool<CapturedLeadRow> | undefined;
  /** How long a capture waits for the database before it spools (or fails). */
  databaseTimeoutMs?: number | undefined;
  /** Tells the relay and the live streams, after the commit, that a new lead's event is there. */
  announce?: AnnounceEvents | undefined;
}

/**
 * Stores a lead with its messages, its `lead.created` event and a timeline row in one transaction, or
 * recognises it as a repeat of one already stored (same idempotency key and the same request, or the same
 * body from the same source within ten minutes) and returns that one. The same key with another request is
 * refused (422). When the database is away the lead goes to the spool, durably, and keeps its id.
 */
export async function captureLead(deps: CaptureDeps, draft: LeadDraft): Promise<CaptureResult> {
  const row = buildCapturedLead(draft, deps.clock.now(), deps);
  const waiting = deps.spool?.findPending(row.idempotencyKey);
  if (waiting) return repeatOf(waiting, row);
  try {
    const stored = await withDeadline(storeCapturedLead(deps.db, row), deps.databaseTimeoutMs);
    if (!stored.duplicate) deps.announce?.();
    return stored;
  } catch (error) {
    if (!deps.spool || !isDatabaseUnavailable(error)) throw error;
    await deps.spool.append(row);
    return { id: row.id, quality: row.quality, slaDeadline: row.slaDeadline, duplicate: false, spooled: true };
  }
}

/** Inserts the lead, or returns the one already stored under its key (422 when the request differs). */
export async function storeCapturedLead(db: Queryable, row: CapturedLeadRow): Promise<CaptureResult> {
  const inserted = await insertCapturedLead(db, row);
  if (inserted) return { ...inserted, duplicate: false, spooled: false };
  const existing = await findLeadByIdempotencyKeys(
    db,
    row.previousWindowKey ? [row.idempotencyKey, row.previousWindowKey] : [row.idempotencyKey],
  );
  if (!existing) throw new Error('idempotency key conflicted but no lead holds it; retry the request');
  return repeatOf(existing, row);
}

function repeatOf(
  existing: { id: string; quality: CaptureResult['quality']; slaDeadline: Date; requestFingerprint: string | null },
  row: CapturedLeadRow,
): CaptureResult {
  if (existing.requestFingerprint !== null && existing.requestFingerprint !== row.requestFingerprint) {
    throw new AppError(
      'idempotency_key_reused',
      'this Idempotency-Key was already used for a different request; send a new key for a new lead, or resend the original body to retry',
      { errors: [{ path: 'Idempotency-Key', message: 'was used before with a different body' }] },
    );
  }
  return { id: existing.id, quality: existing.quality, slaDeadline: existing.slaDeadline, duplicate: true, spooled: false };
}

/** The database did not answer in time: treated like an unreachable one (the lead is spooled). */
export class DatabaseTimeoutError extends Error {
  override name = 'DatabaseTimeoutError';
  readonly code = 'database_timeout';
}

/**
 * Gives up waiting after `timeoutMs`. The statement may still commit later; that is harmless, because the
 * spooled copy carries the same id and key and is then recognised as already stored.
 */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  // The losing statement's error, if any, has nobody left to hear it.
  work.catch(() => {});
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseTimeoutError(`the database did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
