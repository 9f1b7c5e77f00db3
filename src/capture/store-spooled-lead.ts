import type { Logger } from 'pino';
import type { Queryable } from '../db/create-pool.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import { AppError } from '../shared/app-error.ts';
import { storeCapturedLead } from './capture-lead.ts';
import type { CapturedLeadRow } from './insert-captured-lead.ts';

/**
 * Writes one lead from the spool: the same id, key and `created_at` it was acknowledged with, so a copy the
 * database had committed after all (the answer was only late) is recognised as already stored. A key that
 * meanwhile belongs to a different request (the client reused it while we were cut off) is never a reason
 * to lose an acknowledged lead: it is stored under a key of its own and the conflict is logged.
 */
export async function storeSpooledLead(
  db: Queryable,
  logger: Pick<Logger, 'warn'>,
  lead: CapturedLeadRow,
  announce?: AnnounceEvents,
): Promise<void> {
  const row = { ...lead, timelineDescription: `${lead.timelineDescription} Kept in the spool while the database was unreachable.` };
  try {
    await storeCapturedLead(db, row);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'idempotency_key_reused') throw error;
    logger.warn({ leadId: lead.id }, 'a spooled lead reused an idempotency key of another request; stored under a key of its own');
    await storeCapturedLead(db, { ...row, idempotencyKey: `${lead.idempotencyKey}:spooled:${lead.id}`, previousWindowKey: null });
  }
  announce?.();
}
