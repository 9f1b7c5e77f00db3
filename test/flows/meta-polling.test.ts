import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIngestionStats } from '../../src/ingest/read-ingestion-stats.ts';
import { signMetaDelivery } from '../stubs/sign-meta-delivery.ts';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { randomGraphId, startGraphStub, type GraphStub } from '../stubs/start-graph-stub.ts';
import { startIngestTestApp, type IngestTestApp } from './meta-harness.ts';

const APP_SECRET = 'meta-app-secret-for-polling';
const FORM_ID = '444000111222333';
const POLL_INTERVAL_MS = 1_000;

let db: TestDatabase;
let graph: GraphStub;
let ingest: IngestTestApp;

async function formState() {
  const { rows } = await db.pool.query(
    `SELECT checkpoint_at, last_run_at, recovered::int, status FROM ingestion_state WHERE source = 'meta' AND scope = $1`,
    [FORM_ID],
  );
  return rows[0] as { checkpoint_at: Date | null; last_run_at: Date | null; recovered: number; status: string } | undefined;
}

const firstPageRequests = () => graph.requests.filter((request) => request.path === `${FORM_ID}/leads` && !request.query.has('after'));

beforeAll(async () => {
  db = await createTestDatabase('meta_polling');
  graph = await startGraphStub();
  // Created before Leadline starts: no webhook will ever announce it.
  graph.addLead({
    id: '12345678901234511',
    form_id: FORM_ID,
    created_time: new Date(Date.now() - 3 * 60_000),
    field_data: [
      { name: 'full_name', values: ['Polly Polled'] },
      { name: 'email', values: ['polly@example.com'] },
    ],
  });
  // Three worker processes poll the same forms: together they must still poll once per interval.
  ingest = await startIngestTestApp(
    db.url,
    {
      META_APP_SECRET: APP_SECRET,
      META_ACCESS_TOKEN: graph.token,
      META_GRAPH_URL: graph.url,
      META_FORM_IDS: FORM_ID,
      META_POLL_INTERVAL: `${POLL_INTERVAL_MS}ms`,
    },
    { workers: 3 },
  );
});
afterAll(async () => {
  await ingest?.stop();
  await graph?.close();
  await db?.drop();
});

describe('Meta polling fallback', () => {
  it('when a lead exists only in the Graph API, then polling captures it within one interval, advances the checkpoint and counts it as recovered', async () => {
    const lead = await waitFor(
      'the polled lead',
      async () => {
        const { rows } = await db.pool.query(`SELECT * FROM conversations WHERE external_id = '12345678901234511'`);
        return rows[0];
      },
      POLL_INTERVAL_MS * 5,
    );
    expect(lead).toMatchObject({
      source: 'meta',
      name: 'Polly Polled',
      email: 'polly@example.com',
      metadata: expect.objectContaining({ form_id: FORM_ID, ingested_via: 'poll', recovered_by_polling: true }),
    });
    const events = await db.pool.query(
      `SELECT count(*)::int AS n FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.created'`,
      [lead.id],
    );
    expect(events.rows[0].n).toBe(1);

    const state = await waitFor('the checkpoint', async () => ((await formState())?.checkpoint_at ? formState() : undefined));
    expect(state).toMatchObject({ recovered: 1, status: 'ok' });
    expect(state.checkpoint_at!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const polled = firstPageRequests()[0];
    const filtering = JSON.parse(polled?.query.get('filtering') ?? '[]') as { field: string; operator: string; value: number }[];
    expect(filtering).toContainEqual(expect.objectContaining({ field: 'time_created', operator: 'GREATER_THAN' }));
  });

  it('when the next polls run, then the checkpoint moves forward and no duplicate lead or recovered count appears', async () => {
    const before = (await formState())!;
    await waitFor(
      'two more polls',
      async () => {
        const state = await formState();
        return state?.checkpoint_at && state.checkpoint_at.getTime() > before.checkpoint_at!.getTime() + POLL_INTERVAL_MS;
      },
      POLL_INTERVAL_MS * 8,
    );
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM conversations WHERE external_id = '12345678901234511'`);
    expect(rows[0].n).toBe(1);
    expect((await formState())?.recovered).toBe(1);
    const stats = await readIngestionStats(db.pool);
    expect(stats.recovered_total).toBe(1);
    expect(stats.sources).toContainEqual(expect.objectContaining({ source: 'meta', scope: FORM_ID, recovered: 1, status: 'ok' }));
  });

  it('when three worker processes poll, then polls of a form come about an interval apart, never bunched together', async () => {
    await waitFor('at least six polls', () => firstPageRequests().length >= 6, POLL_INTERVAL_MS * 15);
    const times = firstPageRequests().map((request) => request.at);
    const gaps = times.slice(1).map((at, index) => at - times[index]!);
    // The lease is 80% of the interval, taken before the request is sent; the stub sees each request after its own
    // delay, which a loaded 2-core machine stretches for one poll and not the next. So the typical gap (the
    // median) is held to the lease less 100 ms of jitter, and a single gap only has to stay above a third of an
    // interval: three workers polling without the lease would average a third, with gaps near zero.
    expect(gaps.toSorted((a, b) => a - b)[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(POLL_INTERVAL_MS * 0.8 - 100);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(POLL_INTERVAL_MS / 3);
  });

  it('when a lead came by webhook and is also found by polling, then it is one lead and is not counted as recovered', async () => {
    const leadgenId = randomGraphId();
    graph.addLead({
      id: leadgenId,
      form_id: FORM_ID,
      created_time: new Date(),
      field_data: [{ name: 'email', values: ['hooked@example.com'] }],
    });
    const text = `{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"leadgen","value":{"leadgen_id":${leadgenId},"form_id":${FORM_ID},"page_id":1}}]}]}`;
    const response = await fetch(`${ingest.url}/api/webhooks/meta`, {
      method: 'POST',
      headers: { 'x-hub-signature-256': signMetaDelivery(text, APP_SECRET), 'content-type': 'application/json' },
      body: text,
    });
    expect(response.status).toBe(200);
    const pollsBefore = firstPageRequests().length;
    await waitFor('a poll after the webhook', () => firstPageRequests().length >= pollsBefore + 2, POLL_INTERVAL_MS * 8);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM conversations WHERE external_id = $1`, [leadgenId]);
    expect(rows[0].n).toBe(1);
    expect((await formState())?.recovered).toBe(1);
  });
});
