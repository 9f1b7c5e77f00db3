import type { Queryable } from '../db/create-pool.ts';
import { escapeLikePattern } from './escape-like-pattern.ts';
import { encodeLeadCursor, type LeadCursor } from './lead-cursor.ts';
import type { LeadQuality, LeadStatus, SlaState } from '../leads/lead-vocabulary.ts';
import { slaStateSql } from '../leads/sla-state-sql.ts';

export interface LeadListFilter {
  status?: LeadStatus | undefined;
  quality?: LeadQuality | undefined;
  source?: string | undefined;
  /** Free text matched against name, email, phone, subject, message and the chat transcript. */
  q?: string | undefined;
  /** An agent id, or `none` for leads nobody is assigned to. */
  assignedTo?: string | undefined;
  /**
   * `newest` (the default): every lead, newest first. `urgency`: what to answer next, the unanswered leads
   * only, the nearest (or longest-passed) response deadline first.
   */
  sort?: 'newest' | 'urgency' | undefined;
  after?: LeadCursor | undefined;
  limit: number;
}

export interface LeadListItem {
  id: string;
  source: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  subject: string | null;
  message_preview: string | null;
  quality: LeadQuality;
  score: number;
  status: LeadStatus;
  created_at: Date;
  first_response_at: Date | null;
  /** The response deadline (the `sla_response_deadline` column; `sla_deadline` everywhere in the admin API). */
  sla_deadline: Date;
  sla_warning_at: Date;
  /** Set by the SLA monitor once it has recorded the breach; `sla_state` does not wait for it. */
  sla_breached: boolean;
  /** Where the lead stands at the time of the request (slaStateSql). */
  sla_state: SlaState;
  assigned_to: string | null;
}

/** `GET /api/admin/leads`. */
export interface LeadListPage {
  items: LeadListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** How much of a message the table shows; the detail view has the whole text. */
const PREVIEW_CHARS = 160;

/**
 * One page of leads, newest first, in the (created_at DESC, id DESC) order the
 * `conversations_created_at_idx` index serves. The row after the page is fetched to know whether there is a
 * next page, so `next_cursor` is null exactly on the last page. `now` decides each lead's `sla_state`.
 */
export async function listLeads(db: Queryable, filter: LeadListFilter, now: Date): Promise<LeadListPage> {
  // An erased lead is an anonymous tombstone for the stats: it is not listed (its detail is a 404).
  const conditions: string[] = ['c.erased_at IS NULL'];
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const nowParam = param(now);

  if (filter.status) conditions.push(`c.status = ${param(filter.status)}`);
  if (filter.quality) conditions.push(`c.quality = ${param(filter.quality)}`);
  if (filter.source) conditions.push(`c.source = ${param(filter.source)}`);
  if (filter.assignedTo === 'none') conditions.push('c.assigned_to IS NULL');
  else if (filter.assignedTo) conditions.push(`c.assigned_to = ${param(filter.assignedTo)}::uuid`);
  const urgency = filter.sort === 'urgency';
  if (urgency) conditions.push('c.first_response_at IS NULL');
  if (filter.q) {
    const pattern = param(`%${escapeLikePattern(filter.q)}%`);
    const matches = [
      `c.name ILIKE ${pattern} ESCAPE '\\'`,
      `c.email ILIKE ${pattern} ESCAPE '\\'`,
      `c.phone ILIKE ${pattern} ESCAPE '\\'`,
      `c.subject ILIKE ${pattern} ESCAPE '\\'`,
      `c.message ILIKE ${pattern} ESCAPE '\\'`,
      `EXISTS (SELECT 1 FROM chat_messages m WHERE m.conversation_id = c.id AND m.content ILIKE ${pattern} ESCAPE '\\')`,
    ];
    // Phones are stored in E.164, so "(415) 555-01" must be compared without its punctuation.
    const digits = filter.q.replace(/[\s().-]/g, '');
    if (/^\+?\d{3,}$/.test(digits) && digits !== filter.q) matches.push(`c.phone LIKE ${param(`%${digits}%`)}`);
    conditions.push(`(${matches.join(' OR ')})`);
  }
  // The cursor holds the sort key of the page's last row: created_at (newest) or the deadline (urgency).
  if (filter.after) {
    conditions.push(
      urgency
        ? `(c.sla_response_deadline, c.id) > (${param(filter.after.createdAt)}::timestamptz, ${param(filter.after.id)}::uuid)`
        : `(c.created_at, c.id) < (${param(filter.after.createdAt)}::timestamptz, ${param(filter.after.id)}::uuid)`,
    );
  }
  const limit = param(filter.limit + 1);

  const { rows } = await db.query<LeadListItem & { cursor_at: string }>(
    /* sql */ `
    SELECT c.id, c.source, c.name, c.email, c.phone, c.subject,
           left(coalesce(c.message, (SELECT m.content FROM chat_messages m
                                     WHERE m.conversation_id = c.id AND m.role = 'user'
                                     ORDER BY m.position, m.id LIMIT 1)), ${PREVIEW_CHARS}) AS message_preview,
           c.quality, c.score, c.status, c.created_at, c.first_response_at, c.sla_response_deadline AS sla_deadline,
           c.sla_warning_at, c.sla_breached, ${slaStateSql('c', nowParam)} AS sla_state, c.assigned_to,
           to_char((CASE WHEN ${urgency} THEN c.sla_response_deadline ELSE c.created_at END) AT TIME ZONE 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM conversations c
    ${conditions.length > 0 ? `WHERE ${conditions.join('\n      AND ')}` : ''}
    ORDER BY ${urgency ? 'c.sla_response_deadline, c.id' : 'c.created_at DESC, c.id DESC'}
    LIMIT ${limit}`,
    values,
  );

  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const next_cursor = rows.length > filter.limit && last ? encodeLeadCursor({ createdAt: last.cursor_at, id: last.id }) : null;
  return { items: page.map(({ cursor_at: _cursor, ...item }) => item), next_cursor };
}
