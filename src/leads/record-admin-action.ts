import type { Queryable } from '../db/create-pool.ts';

/** Appends one admin action to `audit_log`. Details must not hold secrets or contact data. */
export async function recordAdminAction(
  db: Queryable,
  action: { actor?: string; action: string; targetType?: string; targetId?: string; details?: Record<string, unknown> },
): Promise<void> {
  await db.query(/* sql */ `INSERT INTO audit_log (actor, action, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5)`, [
    action.actor ?? 'admin-api-key',
    action.action,
    action.targetType ?? null,
    action.targetId ?? null,
    JSON.stringify(action.details ?? {}),
  ]);
}
