import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requeueStrandedDeliveries } from '../../src/ingest/requeue-stranded-deliveries.ts';
import { signMetaDelivery } from '../stubs/sign-meta-delivery.ts';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { randomGraphId, startGraphStub, type GraphStub } from '../stubs/start-graph-stub.ts';
import { startIngestTestApp, type IngestTestApp } from './meta-harness.ts';

const APP_SECRET = 'meta-app-secret-for-graph-errors';
const FORM_ID = '777000111222333';

let db: TestDatabase;
let graph: GraphStub;
let ingest: IngestTestApp;

beforeAll(async () => {
  db = await createTestDatabase('meta_graph_errors');
  graph = await startGraphStub();
  ingest = await startIngestTestApp(db.url, {
    META_APP_SECRET: APP_SECRET,
    META_ACCESS_TOKEN: graph.token,
    META_GRAPH_URL: graph.url,
    META_POLL_INTERVAL: '1h',
  });
});
afterAll(async () => {
  await ingest?.stop();
  await graph?.close();
  await db?.drop();
});

async function deliverNewLead(): Promise<string> {
  const id = randomGraphId();
  graph.addLead({ id, form_id: FORM_ID, created_time: new Date(), field_data: [{ name: 'email', values: [`${id}@example.com`] }] });
  const text = `{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"leadgen","value":{"leadgen_id":${id},"form_id":${FORM_ID},"page_id":1}}]}]}`;
  const response = await fetch(`${ingest.url}/api/webhooks/meta`, {
    method: 'POST',
    headers: { 'x-hub-signature-256': signMetaDelivery(text, APP_SECRET), 'content-type': 'application/json' },
    body: text,
  });
  expect(response.status).toBe(200);
  return id;
}

const captured = (id: string) => async () => {
  const { rows } = await db.pool.query(`SELECT 1 FROM conversations WHERE external_id = $1`, [id]);
  return rows.length === 1;
};

describe('Graph API errors while fetching a lead', () => {
  it('when Meta answers a rate limit (80005) with an estimate, then the fetch is re-queued to start after the wait and the lead is captured then', async () => {
    const usage = JSON.stringify({
      '1': [{ type: 'leadgen', call_count: 100, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: 0 }],
    });
    graph.failNext({
      code: 80005,
      isTransient: true,
      message: 'There have been too many leadgen api calls to this Page Account. Wait a bit and try again.',
      headers: { 'x-business-use-case-usage': usage },
    });
    const id = await deliverNewLead();
    await waitFor('the lead after the rate limit', captured(id), 20_000);
    const calls = graph.requests.filter((request) => request.path === id);
    expect(calls.map((call) => call.errorCode ?? call.status)).toEqual([80005, 200]);
    const { rows } = await db.pool.query(
      `SELECT j.start_after > j.created_on AS deferred FROM pgboss.job j WHERE j.name = 'meta-ingest' AND (j.data->>'deferrals')::int = 1`,
    );
    expect(rows).toEqual([{ deferred: true }]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('when Meta has a transient failure (code 2, HTTP 500), then pg-boss retries and the lead is captured; the attempts are counted', async () => {
    graph.failNext({
      code: 2,
      status: 500,
      isTransient: true,
      message: 'An unexpected error has occurred. Please retry your request later.',
    });
    const id = await deliverNewLead();
    await waitFor('the lead after the retry', captured(id), 20_000);
    const row = await waitFor(
      'the payload to be processed',
      async () =>
        (await db.pool.query(`SELECT status, attempts FROM raw_leads WHERE external_id = $1 AND status = 'processed'`, [id])).rows[0],
    );
    // The failed attempt is counted; the successful one is recorded by processed_at.
    expect(row).toEqual({ status: 'processed', attempts: 1 });
  });

  it('when a lead has neither email nor phone, then it is kept as failed with a reason that holds no personal data', async () => {
    const id = randomGraphId();
    graph.addLead({ id, form_id: FORM_ID, created_time: new Date(), field_data: [{ name: 'full_name', values: ['Secret Person'] }] });
    const text = `{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"leadgen","value":{"leadgen_id":${id},"form_id":${FORM_ID},"page_id":1}}]}]}`;
    await fetch(`${ingest.url}/api/webhooks/meta`, {
      method: 'POST',
      headers: { 'x-hub-signature-256': signMetaDelivery(text, APP_SECRET) },
      body: text,
    });
    const row = await waitFor(
      'the failed payload',
      async () =>
        (await db.pool.query(`SELECT status, error_message FROM raw_leads WHERE external_id = $1 AND status = 'failed'`, [id])).rows[0],
    );
    expect(row.error_message).toContain('no valid email or phone');
    expect(row.error_message).not.toContain('Secret');
  });

  it('when a stored payload lost its job, then the sweep queues it again and the lead is captured; payloads with a live job are left alone', async () => {
    const id = randomGraphId();
    graph.addLead({ id, form_id: FORM_ID, created_time: new Date(), field_data: [{ name: 'email', values: ['stranded@example.com'] }] });
    const body = `{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"leadgen","value":{"leadgen_id":${id},"page_id":1}}]}]}`;
    await db.pool.query(
      `INSERT INTO raw_leads (source, external_id, body, status, received_at) VALUES ('meta', $1, $2, 'received', now() - interval '1 hour')`,
      [id, body],
    );
    expect(await requeueStrandedDeliveries(ingest.deps)).toBe(1);
    await waitFor('the stranded lead', captured(id), 20_000);
    expect(await requeueStrandedDeliveries(ingest.deps)).toBe(0);
  });
});
