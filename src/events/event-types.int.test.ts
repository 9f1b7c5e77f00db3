import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.ts';
import { appendEvents, newEvent } from './append-events.ts';
import { TIMELINE_ONLY_TYPES } from './describe-event.ts';
import { EVENT_TYPES } from './event-types.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('event_types');
});
afterAll(async () => {
  await db?.drop();
});

async function checkList(table: string, constraint: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ definition: string }>(
    `SELECT pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.conname = $2`,
    [table, constraint],
  );
  return [...(rows[0]?.definition ?? '').matchAll(/'([a-z._]+)'::text/g)].map((match) => match[1]!).sort();
}

const SRC = fileURLToPath(new URL('../', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)])),
  );
  return files.flat().filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
}

describe('the event union and the database', () => {
  it('when the schema is migrated, then lead_events accepts exactly the event types of the union', async () => {
    expect(await checkList('lead_events', 'lead_events_event_type_check')).toEqual([...EVENT_TYPES].sort());
  });

  it('when the schema is migrated, then the timeline accepts the event types and the timeline-only ones, nothing else', async () => {
    expect(await checkList('conversation_timeline', 'conversation_timeline_event_type_check')).toEqual(
      [...EVENT_TYPES, ...TIMELINE_ONLY_TYPES].sort(),
    );
  });

  it('when the source is read, then events and timeline rows are written only by the typed append in src/events', async () => {
    const writers: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      if (file.includes(`${path.sep}events${path.sep}`)) continue;
      if (/INSERT INTO (lead_events|conversation_timeline)\b/.test(await readFile(file, 'utf8'))) writers.push(path.relative(SRC, file));
    }
    expect(writers).toEqual([]);
  });

  it('when an event with a key is appended twice, then one event and one timeline row exist, and the row names the event', async () => {
    const { rows: leads } = await db.pool.query<{ id: string }>(
      `INSERT INTO conversations (source, email, quality, idempotency_key, sla_response_deadline, sla_warning_at)
       VALUES ('api', 'twice@example.com', 'hot', 'seed:twice', now() + interval '15 minutes', now() + interval '5 minutes') RETURNING id`,
    );
    const leadId = leads[0]!.id;
    const event = () =>
      newEvent(
        'lead.status_changed',
        leadId,
        { from: 'new', to: 'qualified' },
        { idempotencyKey: `test:${leadId}`, describe: { actor: { type: 'agent', id: 'kim' } } },
      );
    const first = await appendEvents(db.pool, [event()]);
    const second = await appendEvents(db.pool, [event()]);
    expect(first).toHaveLength(1);
    expect(second).toEqual([]);
    const { rows } = await db.pool.query(
      `SELECT e.id::text AS event_id, t.event_id::text AS timeline_event_id, t.title, t.description, t.actor_type, t.actor_id, e.payload
         FROM lead_events e JOIN conversation_timeline t ON t.conversation_id = e.conversation_id WHERE e.conversation_id = $1`,
      [leadId],
    );
    expect(rows).toEqual([
      {
        event_id: first[0]!.id,
        timeline_event_id: first[0]!.id,
        title: 'Status changed to qualified',
        description: 'From new to qualified.',
        actor_type: 'agent',
        actor_id: 'kim',
        payload: { from: 'new', to: 'qualified' },
      },
    ]);
  });
});
