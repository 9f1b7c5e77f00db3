import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.ts';
import { beginDeliveryAttempts } from '../delivery/begin-delivery-attempts.ts';
import { applyPendingErasures } from './apply-pending-erasures.ts';
import { eraseLead } from './erase-lead.ts';
import { ERASURE_COVERAGE } from './erasure-coverage.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('erase_lead');
});
afterAll(async () => {
  await db?.drop();
});

async function insertLead(email: string, name = 'Nia Example'): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO conversations (source, name, email, quality, idempotency_key, sla_response_deadline, sla_warning_at, consent)
     VALUES ('api', $2, $1, 'warm', $3, now() + interval '1 hour', now() + interval '30 minutes', $4) RETURNING id`,
    [
      email,
      name,
      `client:api:${email}`,
      JSON.stringify({
        given: true,
        version: 'v2',
        text: null,
        page: 'https://x.example/form',
        given_at: new Date().toISOString(),
        source: 'api',
      }),
    ],
  );
  return rows[0]!.id;
}

describe('eraseLead', () => {
  it('when the schema is migrated, then every table in public has a line in ERASURE_COVERAGE and every line a table', async () => {
    const { rows } = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    expect(Object.keys(ERASURE_COVERAGE).sort()).toEqual(rows.map((row) => row.table_name));
  });

  it('when the idempotency key names the person, then the tombstone gets a key of its own and the consent keeps all but its page', async () => {
    const id = await insertLead('nia@example.com');
    const result = await eraseLead(db.pool, { id, now: new Date(), actor: 'dpo', via: 'script', rememberWhenMissing: false });
    expect(result.outcome).toBe('erased');
    const { rows } = await db.pool.query(`SELECT idempotency_key, consent FROM conversations WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({
      idempotency_key: `erased:${id}`,
      consent: { given: true, version: 'v2', text: null, page: null, given_at: expect.any(String), source: 'api', erased: true },
    });
    const again = await eraseLead(db.pool, { id, now: new Date(), actor: 'dpo', via: 'script', rememberWhenMissing: false });
    expect(again.outcome).toBe('already_erased');
  });

  it('when a delivery attempt starts for a lead erased after its notice was loaded, then the attempt says so and is not to be sent', async () => {
    const id = await insertLead('late@example.com', 'Late Erasure');
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO lead_events (event_type, conversation_id, processed_at) VALUES ('lead.created', $1, now()) RETURNING id::text`,
      [id],
    );
    await eraseLead(db.pool, { id, now: new Date(), actor: 'dpo', via: 'admin', rememberWhenMissing: false });
    const begun = await beginDeliveryAttempts(db.pool, {
      channel: 'slack',
      destination: 'test',
      deliveries: [{ eventId: rows[0]!.id, round: 0 }],
      leaseMs: 30_000,
      processId: '00000000-0000-4000-8000-000000000001',
      heldByThisProcess: [],
    });
    expect(begun.started).toEqual([expect.objectContaining({ eventId: rows[0]!.id, leadErased: true })]);
  });

  it('when an erasure was asked for before its lead arrived and the lead is there now, then the daily net erases it and clears the request', async () => {
    const id = await insertLead('racer@example.com', 'Race Condition');
    await db.pool.query(`INSERT INTO pending_erasures (lead_id, requested_by) VALUES ($1, 'admin-api-key')`, [id]);
    expect(await applyPendingErasures(db.pool, new Date())).toBe(1);
    const { rows } = await db.pool.query(`SELECT name, erased_at IS NOT NULL AS erased FROM conversations WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ name: null, erased: true });
    const { rows: pending } = await db.pool.query(`SELECT 1 FROM pending_erasures WHERE lead_id = $1`, [id]);
    expect(pending).toEqual([]);
    const { rows: events } = await db.pool.query(
      `SELECT payload->>'via' AS via FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.erased'`,
      [id],
    );
    expect(events).toEqual([{ via: 'spool' }]);
  });
});
