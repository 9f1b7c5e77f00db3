import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { startGraphStub, type GraphStub } from '../stubs/start-graph-stub.ts';
import { startIngestTestApp, type IngestTestApp } from './meta-harness.ts';

const PAGED_FORM = '333000111222001';
const OLD_FORM = '333000111222002';

let db: TestDatabase;
let graph: GraphStub;
let ingest: IngestTestApp;

async function reconcile(query = '', headers: Record<string, string> = adminHeaders()) {
  const response = await fetch(`${ingest.url}/api/admin/reconcile${query}`, { method: 'POST', headers });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function leadsOfForm(formId: string): Promise<number> {
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM conversations WHERE source = 'meta' AND metadata->>'form_id' = $1`, [
    formId,
  ]);
  return rows[0].n;
}

async function checkpointOf(formId: string): Promise<Date | null> {
  const { rows } = await db.pool.query(`SELECT checkpoint_at FROM ingestion_state WHERE source = 'meta' AND scope = $1`, [formId]);
  return rows[0]?.checkpoint_at ?? null;
}

beforeAll(async () => {
  db = await createTestDatabase('meta_reconcile');
  graph = await startGraphStub();
  for (let i = 0; i < 150; i += 1) {
    graph.addLead({
      form_id: PAGED_FORM,
      created_time: new Date(Date.now() - (i + 1) * 10_000),
      field_data: [{ name: 'email', values: [`paged${i}@example.com`] }],
    });
  }
  graph.addLead({
    id: '12345678901234522',
    form_id: OLD_FORM,
    created_time: new Date(Date.now() - 30 * 24 * 3600_000),
    field_data: [{ name: 'email', values: ['old@example.com'] }],
  });
  // No worker: the operator's reconcile is the only poller here.
  ingest = await startIngestTestApp(
    db.url,
    { META_ACCESS_TOKEN: graph.token, META_GRAPH_URL: graph.url, META_FORM_IDS: `${PAGED_FORM},${OLD_FORM}`, META_POLL_INTERVAL: '1h' },
    { workers: 0 },
  );
});
afterAll(async () => {
  await ingest?.stop();
  await graph?.close();
  await db?.drop();
});

describe('POST /api/admin/reconcile', () => {
  it('when called without the admin key, then 401', async () => {
    expect((await reconcile('', {})).status).toBe(401);
  });

  it('when the second page of a form fails, then the first page is stored but the checkpoint does not move; the next reconcile finishes without duplicates', async () => {
    graph.failNext(
      { code: 2, status: 500, isTransient: true, message: 'An unexpected error has occurred. Please retry your request later.' },
      1,
      (request) => request.path === `${PAGED_FORM}/leads` && request.query.has('after'),
    );
    const first = await reconcile();
    expect(first.status).toBe(200);
    const paged = first.body['forms'].find((form: { form_id: string }) => form.form_id === PAGED_FORM);
    expect(paged).toMatchObject({ status: 'failed', fetched: 100, captured: 100, recovered: 100, checkpoint: null });
    expect(await leadsOfForm(PAGED_FORM)).toBe(100);
    expect(await checkpointOf(PAGED_FORM)).toBeNull();

    const second = await reconcile();
    const pagedAgain = second.body['forms'].find((form: { form_id: string }) => form.form_id === PAGED_FORM);
    expect(pagedAgain).toMatchObject({ status: 'polled', fetched: 150, captured: 50, recovered: 50 });
    expect(await leadsOfForm(PAGED_FORM)).toBe(150);
    expect(await checkpointOf(PAGED_FORM)).not.toBeNull();
    const { rows } = await db.pool.query(`SELECT recovered::int FROM ingestion_state WHERE source = 'meta' AND scope = $1`, [PAGED_FORM]);
    expect(rows[0].recovered).toBe(150);
  });

  it('when a lead is older than the first-poll window, then only a backfill finds it', async () => {
    expect(await leadsOfForm(OLD_FORM)).toBe(0);
    const backfill = await reconcile('?backfill_days=90');
    expect(backfill.status).toBe(200);
    expect(backfill.body['forms'].find((form: { form_id: string }) => form.form_id === OLD_FORM)).toMatchObject({
      status: 'polled',
      captured: 1,
      recovered: 1,
    });
    const { rows } = await db.pool.query(`SELECT external_id FROM conversations WHERE metadata->>'form_id' = $1`, [OLD_FORM]);
    expect(rows).toEqual([{ external_id: '12345678901234522' }]);
    // 90 one-day windows, each a Graph call, and a checkpoint that never moved backwards.
    expect(graph.requests.filter((request) => request.path === `${OLD_FORM}/leads`).length).toBeGreaterThanOrEqual(90);
  });

  it('when backfill_days is out of range, then 400 names the parameter', async () => {
    const response = await reconcile('?backfill_days=91');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ path: 'backfill_days', message: expect.any(String) }] });
  });
});
