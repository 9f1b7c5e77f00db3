import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMetaDelivery } from '../stubs/sign-meta-delivery.ts';
import { adminHeaders, waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { randomGraphId, startGraphStub, type GraphStub } from '../stubs/start-graph-stub.ts';
import { startIngestTestApp, type IngestTestApp } from './meta-harness.ts';

const APP_SECRET = 'meta-app-secret-for-token-tests';
const FORM_ID = '222000111222333';

let db: TestDatabase;
let graph: GraphStub;
let ingest: IngestTestApp;

async function deliver(leadgenId: string): Promise<number> {
  const text = `{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"leadgen","value":{"leadgen_id":${leadgenId},"form_id":${FORM_ID},"page_id":1}}]}]}`;
  const response = await fetch(`${ingest.url}/api/webhooks/meta`, {
    method: 'POST',
    headers: { 'x-hub-signature-256': signMetaDelivery(text, APP_SECRET), 'content-type': 'application/json' },
    body: text,
  });
  return response.status;
}

function addLead(id: string) {
  graph.addLead({
    id,
    form_id: FORM_ID,
    created_time: new Date(),
    field_data: [
      { name: 'full_name', values: ['Tina Token'] },
      { name: 'phone_number', values: ['+14155550111'] },
    ],
  });
}

async function rawStatuses(ids: string[]): Promise<string[]> {
  const { rows } = await db.pool.query(`SELECT status FROM raw_leads WHERE external_id = ANY($1) ORDER BY id`, [ids]);
  return rows.map((row: { status: string }) => row.status);
}

async function alerts() {
  const { rows } = await db.pool.query(
    `SELECT e.conversation_id, e.payload, e.idempotency_key, a.title, a.detail
       FROM lead_events e LEFT JOIN operator_alerts a ON a.event_id = e.id
      WHERE e.event_type = 'ingestion.failed' ORDER BY e.id`,
  );
  return rows as {
    conversation_id: string | null;
    payload: Record<string, unknown>;
    idempotency_key: string;
    title: string;
    detail: string;
  }[];
}

beforeAll(async () => {
  db = await createTestDatabase('meta_token');
  graph = await startGraphStub();
  ingest = await startIngestTestApp(
    db.url,
    { META_APP_SECRET: APP_SECRET, META_ACCESS_TOKEN: graph.token, META_GRAPH_URL: graph.url, META_POLL_INTERVAL: '1h' },
    { workers: 2 },
  );
});
afterAll(async () => {
  await ingest?.stop();
  await graph?.close();
  await db?.drop();
});

describe('an expired Meta token', () => {
  const ids = [randomGraphId(), randomGraphId(), randomGraphId()];
  const late = randomGraphId();

  it('when the Graph API answers 190, then the source pauses, /health/meta says so, one operator alert is raised and the payloads are kept', async () => {
    const health = await fetch(`${ingest.url}/health/meta`);
    expect(health.status).toBe(200);

    for (const id of ids) addLead(id);
    graph.expireToken();
    expect(await Promise.all(ids.map(deliver))).toEqual([200, 200, 200]);
    await waitFor('all three payloads to be parked', async () => (await rawStatuses(ids)).every((status) => status === 'paused'));

    const { rows } = await db.pool.query(`SELECT status, last_error FROM ingestion_state WHERE source = 'meta' AND scope = '*'`);
    expect(rows[0]).toEqual({ status: 'paused', last_error: expect.stringContaining('Graph API error 190/463') });
    const red = await fetch(`${ingest.url}/health/meta`);
    expect(red.status).toBe(503);
    // The public answer says that it fails, not why (error texts can name hosts and accounts).
    expect(await red.json()).toEqual({ status: 'failing', ms: expect.any(Number) });
    const detailed = await fetch(`${ingest.url}/health/meta`, { headers: adminHeaders() });
    expect(await detailed.json()).toMatchObject({
      status: 'failing',
      detail: expect.stringMatching(/^paused since .*190.*3 lead\(s\) waiting/),
    });
    const ready = await fetch(`${ingest.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded', checks: { meta: { status: 'degraded' } } });

    const raised = await alerts();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      conversation_id: null,
      idempotency_key: expect.stringMatching(/^ingestion\.failed:meta:token:/),
      // The event holds ids only; the alert's words are in operator_alerts.
      payload: { source: 'meta', scope: '*' },
      title: expect.stringContaining('Meta Lead Ads paused'),
      detail: expect.stringContaining('META_ACCESS_TOKEN'),
    });
    expect(JSON.stringify(raised[0])).not.toContain(graph.token);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM conversations`)).rows[0].n).toBe(0);
  });

  it('when more leads arrive while paused, then they are parked without calling the Graph API and no second alert is raised', async () => {
    addLead(late);
    const graphCalls = graph.requests.length;
    expect(await deliver(late)).toBe(200);
    await waitFor('the late payload to be parked', async () => (await rawStatuses([late]))[0] === 'paused');
    expect(graph.requests.length).toBe(graphCalls);
    expect(await alerts()).toHaveLength(1);
  });

  it('when reconciling while the token is still refused, then 409 says it stays paused', async () => {
    const response = await fetch(`${ingest.url}/api/admin/reconcile`, { method: 'POST', headers: adminHeaders() });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ detail: expect.stringContaining('stays paused') });
  });

  it('when the token works again, then a reconcile resumes the source and captures every parked lead once', async () => {
    graph.acceptToken();
    const response = await fetch(`${ingest.url}/api/admin/reconcile`, { method: 'POST', headers: adminHeaders() });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ resumed: true, replay: { queued: 4 } });
    const all = [...ids, late];
    await waitFor('the parked leads to be captured', async () => {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM conversations WHERE external_id = ANY($1)`, [all]);
      return rows[0].n === 4;
    });
    await waitFor('the payloads to be processed', async () => (await rawStatuses(all)).every((status) => status === 'processed'));
    expect((await fetch(`${ingest.url}/health/meta`)).status).toBe(200);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM lead_events WHERE event_type = 'lead.created'`);
    expect(rows[0].n).toBe(4);
  });

  it('when the token expires again later, then that is a new incident with its own single alert', async () => {
    const id = randomGraphId();
    addLead(id);
    graph.expireToken();
    expect(await deliver(id)).toBe(200);
    await waitFor('a second incident alert', async () => (await alerts()).length === 2);
    const keys = (await alerts()).map((alert) => alert.idempotency_key);
    expect(new Set(keys).size).toBe(2);
    graph.acceptToken();
  });
});
