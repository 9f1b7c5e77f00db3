import { createHash } from 'node:crypto';
import type { Queryable } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';

/** The pg-boss queue of SLA timers: one job at each lead's at-risk time and one at its deadline. */
export const SLA_TIMER_QUEUE = 'sla-timer';

export type SlaTimerKind = 'warning' | 'deadline';

export interface SlaTimerJob {
  conversationId: string;
  kind: SlaTimerKind;
  /** ISO time the job is due; the handler waits out a small clock difference between Node and Postgres. */
  dueAt: string;
}

interface OpenLeadRow {
  id: string;
  sla_warning_at: Date;
  sla_response_deadline: Date;
  sla_warned_at: Date | null;
}

/**
 * A job id derived from the lead and the timer kind (a name-based UUID), so scheduling the same timer
 * twice, from several monitors or after a restart, inserts one job: pg-boss inserts with ON CONFLICT DO
 * NOTHING on (queue, id).
 */
export function slaTimerJobId(conversationId: string, kind: SlaTimerKind): string {
  const hex = createHash('sha1').update(`leadline:sla-timer:${kind}:${conversationId}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export interface SlaTimer {
  conversationId: string;
  kind: SlaTimerKind;
  at: Date;
}

/** Which open leads to schedule: given ones, recent ones, ones with a timer due before a time, or all. */
export type OpenLeadSelection = { ids: string[] } | { createdSince: Date } | { dueBefore: Date } | { all: true };

const PAGE_SIZE = 1_000;

/**
 * Loads the unanswered, unbreached leads of `selection` and makes sure each has its two timers. Leads the
 * monitor has already warned get only the deadline timer. Returns the timers it made sure of.
 */
export async function scheduleSlaTimers(db: Queryable, boss: JobQueue, selection: OpenLeadSelection): Promise<SlaTimer[]> {
  const scheduled: SlaTimer[] = [];
  let after: { deadline: Date; id: string } | null = null;
  for (;;) {
    const page: { rows: OpenLeadRow[] } = await db.query<OpenLeadRow>(
      /* sql */ `SELECT id, sla_warning_at, sla_response_deadline, sla_warned_at
                   FROM conversations
                  WHERE first_response_at IS NULL AND sla_breached = false AND erased_at IS NULL
                    AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))
                    AND ($2::timestamptz IS NULL OR created_at >= $2)
                    AND ($3::timestamptz IS NULL OR (sla_response_deadline, id) > ($3, $4::uuid))
                    AND ($6::timestamptz IS NULL OR sla_response_deadline <= $6
                         OR (sla_warned_at IS NULL AND sla_warning_at <= $6))
                  ORDER BY sla_response_deadline, id
                  LIMIT $5`,
      [
        'ids' in selection ? selection.ids : null,
        'createdSince' in selection ? selection.createdSince : null,
        after?.deadline ?? null,
        after?.id ?? null,
        PAGE_SIZE,
        'dueBefore' in selection ? selection.dueBefore : null,
      ],
    );
    const rows = page.rows;
    if (rows.length === 0) return scheduled;
    const timers = rows.flatMap((row): SlaTimer[] => [
      ...(row.sla_warned_at === null ? [{ conversationId: row.id, kind: 'warning' as const, at: row.sla_warning_at }] : []),
      { conversationId: row.id, kind: 'deadline', at: row.sla_response_deadline },
    ]);
    await boss.insert(
      SLA_TIMER_QUEUE,
      timers.map(({ conversationId, kind, at }) => ({
        id: slaTimerJobId(conversationId, kind),
        data: { conversationId, kind, dueAt: at.toISOString() } satisfies SlaTimerJob,
        startAfter: at,
      })),
    );
    scheduled.push(...timers);
    const last: OpenLeadRow | undefined = rows[rows.length - 1];
    if (rows.length < PAGE_SIZE || !last) return scheduled;
    after = { deadline: last.sla_response_deadline, id: last.id };
  }
}
