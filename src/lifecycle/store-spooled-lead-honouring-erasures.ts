import type { Logger } from 'pino';
import type { CapturedLeadRow } from '../capture/insert-captured-lead.ts';
import { storeSpooledLead } from '../capture/store-spooled-lead.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import type { Clock } from '../shared/clock.ts';
import { eraseLeadInTransaction } from './erase-lead.ts';

/**
 * The spool flusher's store: writes a spooled lead and, when an erasure was asked for its id while it
 * waited (pending_erasures), erases it in the same transaction, so the relay and the live streams never see
 * it with its personal data; the segment that held it is deleted once its file is flushed, as for any
 * stored lead. The usual case (no request) costs one indexed look-up more than a plain store. A request
 * that commits in the instant between that look-up and the write is caught by the daily retention job
 * (applyPendingErasures).
 */
export async function storeSpooledLeadHonouringErasures(
  deps: { pool: Pool; logger: Pick<Logger, 'warn' | 'info'>; clock: Clock; announce?: AnnounceEvents | undefined },
  lead: CapturedLeadRow,
): Promise<void> {
  const asked = await deps.pool.query(/* sql */ `SELECT 1 FROM pending_erasures WHERE lead_id = $1`, [lead.id]);
  if (asked.rows.length === 0) {
    await storeSpooledLead(deps.pool, deps.logger, lead, deps.announce);
    return;
  }
  await withTransaction(deps.pool, async (client) => {
    await storeSpooledLead(client, deps.logger, lead);
    const pending = await client.query<{ requested_by: string }>(
      /* sql */ `SELECT requested_by FROM pending_erasures WHERE lead_id = $1 FOR UPDATE`,
      [lead.id],
    );
    const request = pending.rows[0];
    if (!request) return;
    await eraseLeadInTransaction(client, {
      id: lead.id,
      now: deps.clock.now(),
      actor: request.requested_by,
      via: 'spool',
      rememberWhenMissing: false,
    });
  });
  deps.logger.info({ leadId: lead.id }, 'a spooled lead was erased as it was written (its erasure was asked for while it waited)');
  deps.announce?.();
}
