import type { Queryable } from '../db/create-pool.ts';
import { describeEvent, type DescribeContext, type TimelineEntryType, type TimelineText } from './describe-event.ts';
import { NEVER_RELAYED_EVENTS, type EventOf, type EventPayloads, type EventType, type LeadEvent } from './event-types.ts';

/** An event on its way into `lead_events`, with what its timeline row says. */
export type NewEvent = LeadEvent & {
  /** Makes a repeat a no-op (`sla.warning:<lead>`): the unique index keeps the first. */
  idempotencyKey?: string | null;
  /** When it happened, if not now (a spooled lead keeps its capture time). */
  createdAt?: Date;
  /** A batch writer's join key: the statement appends only the events whose ref it selects. */
  ref?: string;
  timeline: TimelineText | null;
};

/**
 * Builds an event of `type`, typed by its payload, with its timeline text from the one formatter
 * (describeEvent). Every event written anywhere starts here.
 */
export function newEvent<T extends EventType>(
  type: T,
  conversationId: string | null,
  payload: EventPayloads[T],
  options: {
    idempotencyKey?: string | null;
    createdAt?: Date;
    ref?: string;
    describe?: DescribeContext;
    timeline?: TimelineText | null;
  } = {},
): NewEvent {
  const event = { type, conversationId, payload } as EventOf<T>;
  const timeline = options.timeline !== undefined ? options.timeline : describeEvent(event, options.describe);
  return {
    ...event,
    timeline,
    ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    ...(options.createdAt === undefined ? {} : { createdAt: options.createdAt }),
    ...(options.ref === undefined ? {} : { ref: options.ref }),
  };
}

/** A timeline row that is no event (a retry that is coming). */
export interface NewTimelineEntry {
  type: TimelineEntryType;
  conversationId: string;
  text: TimelineText;
  ref?: string;
  createdAt?: Date;
}

/** The events as the JSON parameter that appendEventsSql reads. */
export function encodeEvents(events: readonly NewEvent[]): string {
  return JSON.stringify(
    events.map((event) => ({
      ref: event.ref ?? null,
      event_type: event.type,
      conversation_id: event.conversationId,
      payload: event.payload,
      idempotency_key: event.idempotencyKey ?? null,
      created_at: event.createdAt?.toISOString() ?? null,
      // Born processed: nothing will ever deliver it, so the relay need not look at it.
      processed: NEVER_RELAYED_EVENTS.has(event.type),
      timeline: event.timeline === null ? null : encodeTimelineText(event.timeline),
    })),
  );
}

export function encodeTimelineEntries(entries: readonly NewTimelineEntry[]): string {
  return JSON.stringify(
    entries.map((entry) => ({
      ref: entry.ref ?? null,
      conversation_id: entry.conversationId,
      event_type: entry.type,
      created_at: entry.createdAt?.toISOString() ?? null,
      ...encodeTimelineText(entry.text),
    })),
  );
}

function encodeTimelineText(text: TimelineText) {
  return {
    title: text.title,
    description: text.description,
    actor_type: text.actor.type,
    actor_id: text.actor.id ?? null,
    metadata: text.metadata ?? {},
  };
}

/**
 * Which of the encoded rows a statement appends: those whose `ref` the subquery `refsIn` returns (the
 * statement's own work, e.g. `SELECT id::text FROM done`), and only `when` a condition holds (e.g.
 * `EXISTS (SELECT 1 FROM lead)`). Both default to all.
 */
export interface AppendFilter {
  refsIn?: string;
  when?: string;
}

function filterSql(alias: string, filter: AppendFilter): string {
  const conditions = [filter.refsIn ? `${alias}.ref IN (${filter.refsIn})` : 'true', filter.when ?? 'true'];
  return conditions.join(' AND ');
}

/**
 * The CTEs that append events (and their timeline rows) inside a larger statement: `$<param>` holds
 * encodeEvents(...) and `filter` picks the ones the statement's own work made true. Event ids are drawn
 * first, so each timeline row names its event; an event whose idempotency key exists already is skipped
 * with its timeline row. `param` may instead be a SQL expression giving that array. Defines the CTEs `appended_input` (with `new_id` and `ref`), `appended_events`
 * (id, conversation_id, event_type) and `appended_timeline`.
 */
export function appendEventsSql(param: number | { expression: string }, filter: AppendFilter = {}): string {
  // `expression`: a jsonb array built in SQL from encodeEvents(...) rows, for a fact only the statement knows
  // (the agent a capture's round robin picked).
  const source = typeof param === 'number' ? `$${param}::jsonb` : `(${param.expression})`;
  return /* sql */ `
  appended_input AS MATERIALIZED (
    SELECT ev.*, nextval(pg_get_serial_sequence('lead_events', 'id')) AS new_id
    FROM jsonb_to_recordset(${source}) AS ev(
      ref text, event_type text, conversation_id uuid, payload jsonb, idempotency_key text, created_at timestamptz,
      processed boolean, timeline jsonb)
    WHERE ${filterSql('ev', filter)}
  ), appended_events AS (
    INSERT INTO lead_events (id, event_type, conversation_id, payload, idempotency_key, created_at, processed_at)
    OVERRIDING SYSTEM VALUE
    SELECT new_id, event_type, conversation_id, payload, idempotency_key, coalesce(created_at, now()), CASE WHEN processed THEN now() END
    FROM appended_input
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, conversation_id, event_type
  ), appended_timeline AS (
    INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, description, actor_type, actor_id, metadata, created_at)
    SELECT i.conversation_id, i.new_id, i.event_type, t.title, t.description, t.actor_type, t.actor_id, coalesce(t.metadata, '{}'::jsonb),
           coalesce(i.created_at, now())
    FROM appended_input i
    JOIN appended_events e ON e.id = i.new_id
    CROSS JOIN LATERAL jsonb_to_record(i.timeline) AS t(title text, description text, actor_type text, actor_id text, metadata jsonb)
    WHERE i.timeline IS NOT NULL AND i.conversation_id IS NOT NULL
  )`;
}

/** The CTEs that append timeline-only rows from `$<param>` (encodeTimelineEntries), filtered like appendEventsSql. */
export function appendTimelineSql(param: number, filter: AppendFilter = {}): string {
  return /* sql */ `
  timeline_input AS MATERIALIZED (
    SELECT t.* FROM jsonb_to_recordset($${param}::jsonb) AS t(
      ref text, conversation_id uuid, event_type text, created_at timestamptz, title text, description text, actor_type text,
      actor_id text, metadata jsonb)
    WHERE ${filterSql('t', filter)}
  ), timeline_rows AS (
    INSERT INTO conversation_timeline (conversation_id, event_type, title, description, actor_type, actor_id, metadata, created_at)
    SELECT conversation_id, event_type, title, description, actor_type, actor_id, coalesce(metadata, '{}'::jsonb), coalesce(created_at, now())
    FROM timeline_input
  )`;
}

/** Appends events on their own (one statement), returning the ids of those written (a repeat is skipped). */
export async function appendEvents(db: Queryable, events: readonly NewEvent[]): Promise<{ id: string; type: EventType }[]> {
  if (events.length === 0) return [];
  const { rows } = await db.query<{ id: string; event_type: EventType }>({
    name: 'append-events',
    text: /* sql */ `WITH ${appendEventsSql(1)} SELECT id::text, event_type FROM appended_events ORDER BY id`,
    values: [encodeEvents(events)],
  });
  return rows.map((row) => ({ id: row.id, type: row.event_type }));
}
