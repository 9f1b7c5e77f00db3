import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.ts';
import { uuidV7 } from '../shared/uuid-v7.ts';
import { buildCapturedLead } from './build-captured-lead.ts';
import { insertCapturedLead } from './insert-captured-lead.ts';

const sla = { hotMs: 15 * 60_000, warmMs: 3_600_000, coldMs: 86_400_000, warningMs: 30 * 60_000 };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('round_robin_pick');
});
afterAll(async () => {
  await db?.drop();
});

function lead(n: number, options: { source?: string; roundRobin?: boolean } = {}) {
  return buildCapturedLead(
    {
      source: options.source ?? 'api',
      name: `Lead ${n}`,
      email: `rr${n}@example.com`,
      phone: null,
      message: 'Hi',
      messages: [],
      idempotencyKey: `rr-key-${n}`,
    },
    new Date(),
    { sla, assignment: options.roundRobin === false ? 'off' : 'round_robin' },
  );
}

async function addAgent(name: string, fields: { role?: string; sources?: string[]; active?: boolean } = {}): Promise<string> {
  const id = uuidV7();
  await db.pool.query(`INSERT INTO agents (id, name, role, sources, active) VALUES ($1, $2, $3, $4, $5)`, [
    id,
    name,
    fields.role ?? 'agent',
    fields.sources ?? null,
    fields.active ?? true,
  ]);
  return id;
}

const countBy = async (ids: string[]) => {
  const { rows } = await db.pool.query<{ assigned_to: string | null; n: number }>(
    `SELECT assigned_to, count(*)::int AS n FROM conversations WHERE id = ANY($1::uuid[]) GROUP BY assigned_to`,
    [ids],
  );
  return Object.fromEntries(rows.map((row) => [String(row.assigned_to), row.n]));
};

describe('the round-robin pick in the capture statement', () => {
  it('when 30 leads are captured at once over several connections, then each of two agents gets exactly 15 and the manager none', async () => {
    const a = await addAgent('A');
    const b = await addAgent('B');
    const manager = await addAgent('M', { role: 'manager' });
    await addAgent('Off', { active: false });
    const rows = Array.from({ length: 30 }, (_, n) => lead(n));
    const stored = await Promise.all(rows.map((row) => insertCapturedLead(db.pool, row)));
    const ids = stored.map((result) => result!.id);
    expect(await countBy(ids)).toEqual({ [a]: 15, [b]: 15 });
    expect(Object.keys(await countBy(ids))).not.toContain(manager);
  });

  it('when a lead is a repeat of a stored one, then it takes no turn: the next new lead goes to the next agent', async () => {
    const before = (await db.pool.query<{ counter: string }>(`SELECT counter FROM assignment_cursor`)).rows[0]!.counter;
    expect(await insertCapturedLead(db.pool, lead(0))).toBeUndefined();
    const after = (await db.pool.query<{ counter: string }>(`SELECT counter FROM assignment_cursor`)).rows[0]!.counter;
    expect(after).toBe(before);
  });

  it('when round robin is off for a lead, then it stays unassigned and the counter does not move', async () => {
    const before = (await db.pool.query<{ counter: string }>(`SELECT counter FROM assignment_cursor`)).rows[0]!.counter;
    const stored = await insertCapturedLead(db.pool, lead(100, { roundRobin: false }));
    expect(await countBy([stored!.id])).toEqual({ null: 1 });
    expect((await db.pool.query<{ counter: string }>(`SELECT counter FROM assignment_cursor`)).rows[0]!.counter).toBe(before);
    const { rows } = await db.pool.query(`SELECT 1 FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.assigned'`, [
      stored!.id,
    ]);
    expect(rows).toHaveLength(0);
  });
});
