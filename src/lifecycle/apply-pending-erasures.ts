import type { Pool } from '../db/create-pool.ts';
import { eraseLead } from './erase-lead.ts';

/**
 * Erases the leads whose erasure was asked for before they reached the database and that have arrived
 * since. The spool flusher does this as it writes each lead; this is the net under a narrow race (the
 * request committed just after the flusher looked). Run by the daily retention job. Returns how many.
 */
export async function applyPendingErasures(pool: Pool, now: Date): Promise<number> {
  const { rows } = await pool.query<{ lead_id: string; requested_by: string }>(
    /* sql */ `SELECT p.lead_id, p.requested_by FROM pending_erasures p JOIN conversations c ON c.id = p.lead_id ORDER BY p.requested_at`,
  );
  let erased = 0;
  for (const row of rows) {
    const result = await eraseLead(pool, { id: row.lead_id, now, actor: row.requested_by, via: 'spool', rememberWhenMissing: false });
    if (result.outcome === 'erased') erased += 1;
    // Erased by someone else meanwhile: the request is done either way.
    else await pool.query(/* sql */ `DELETE FROM pending_erasures WHERE lead_id = $1`, [row.lead_id]);
  }
  return erased;
}
