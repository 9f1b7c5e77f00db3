import { recordAdminAction } from '../leads/record-admin-action.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import { appendEvents, newEvent } from '../events/append-events.ts';
import { AppError } from '../shared/app-error.ts';
import { toFollowUpTask, type FollowUpTask, type FollowUpTaskRow } from './list-follow-up-tasks.ts';

/**
 * `POST /api/admin/tasks/:id/complete`. Completing an open task records `task.completed` and a timeline
 * row; completing one that is already completed or cancelled changes nothing. It does not count as the
 * lead's response: that is `respond` (which also completes the task), so the SLA figures stay honest.
 */
export async function completeFollowUpTask(
  pool: Pool,
  input: { id: string; now: Date; completedBy?: string | undefined; actor?: string | undefined },
): Promise<{ task: FollowUpTask; changed: boolean }> {
  return withTransaction(pool, async (client) => {
    const completedBy = input.completedBy ?? input.actor ?? 'admin';
    const { rows } = await client.query<FollowUpTaskRow & { changed: boolean }>(
      /* sql */ `
      WITH done AS (
        UPDATE follow_up_tasks SET status = 'completed', completed_at = $2, completed_by = $3
         WHERE id = $1 AND status IN ('scheduled', 'overdue')
        RETURNING id
      )
      SELECT t.id::text, t.conversation_id, t.kind, t.title, t.follow_up_date,
             CASE WHEN done.id IS NULL THEN t.status ELSE 'completed' END AS status,
             t.sla_deadline, t.sla_breached, t.created_at,
             CASE WHEN done.id IS NULL THEN t.completed_at ELSE $2 END AS completed_at,
             CASE WHEN done.id IS NULL THEN t.completed_by ELSE $3 END AS completed_by,
             c.name AS lead_name, c.quality AS lead_quality, c.source AS lead_source,
             done.id IS NOT NULL AS changed
        FROM follow_up_tasks t
        JOIN conversations c ON c.id = t.conversation_id
        LEFT JOIN done ON done.id = t.id
       WHERE t.id = $1`,
      [input.id, input.now, completedBy],
    );
    const row = rows[0];
    if (!row) throw new AppError('not_found', `no follow-up task with id ${input.id}`);
    if (row.changed) {
      await appendEvents(client, [
        newEvent(
          'task.completed',
          row.conversation_id,
          { task_id: row.id, via: 'admin' },
          { idempotencyKey: `task.completed:${row.id}`, createdAt: input.now, describe: { actor: { type: 'agent', id: completedBy } } },
        ),
      ]);
    }
    await recordAdminAction(client, {
      actor: input.actor,
      action: 'task.complete',
      targetType: 'task',
      targetId: row.id,
      details: { changed: row.changed },
    });
    return { task: toFollowUpTask(row), changed: row.changed };
  });
}
