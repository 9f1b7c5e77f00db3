import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMetaBody } from '../../src/ingest/verify-meta-signature.ts';
import { signMetaDelivery } from '../stubs/sign-meta-delivery.ts';
import { childProcessEnv } from '../helpers/child-process-env.ts';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { randomGraphId, startGraphStub, type GraphStub } from '../stubs/start-graph-stub.ts';
import { startIngestTestApp, type IngestTestApp } from './meta-harness.ts';

const APP_SECRET = 'meta-app-secret-for-tests-0001';
const VERIFY_TOKEN = 'verify-token-for-tests';
const PAGE_ID = '111222333444555';
const FORM_ID = '555000111222333';

let db: TestDatabase;
let graph: GraphStub;
let ingest: IngestTestApp;

beforeAll(async () => {
  db = await createTestDatabase('meta_webhook');
  graph = await startGraphStub();
  ingest = await startIngestTestApp(db.url, {
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: VERIFY_TOKEN,
    META_ACCESS_TOKEN: graph.token,
    META_GRAPH_URL: graph.url,
  });
});
afterAll(async () => {
  await ingest?.stop();
  await graph?.close();
  await db?.drop();
});

/** A delivery as Meta writes it: ids as bare JSON numbers (written by hand, so nothing rounds them). */
function deliveryText(leadgenId: string, pageId = PAGE_ID): string {
  return (
    `{"object":"page","entry":[{"id":"${pageId}","time":1767225600,"changes":[{"field":"leadgen","value":` +
    `{"ad_id":"600000000000001","form_id":"${FORM_ID}","leadgen_id":${leadgenId},"created_time":1767225600,` +
    `"page_id":${pageId},"adgroup_id":"800000000000001"}}]}]}`
  );
}

async function postDelivery(text: string, headers: Record<string, string> = { 'x-hub-signature-256': signMetaDelivery(text, APP_SECRET) }) {
  const response = await fetch(`${ingest.url}/api/webhooks/meta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
  const body = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
}

function addGraphLead(id: string) {
  return graph.addLead({
    id,
    form_id: FORM_ID,
    created_time: new Date(Date.now() - 2 * 60_000),
    ad_id: '600000000000001',
    campaign_id: '700000000000001',
    field_data: [
      { name: 'full_name', values: ['Joe Example'] },
      { name: 'email', values: ['Joe@Example.com'] },
      { name: 'phone_number', values: ['+14155550123'] },
      { name: 'budget', values: ['10k-20k'] },
    ],
    custom_disclaimer_responses: [{ checkbox_key: 'marketing_optin', is_checked: '1' }],
  });
}

async function counts() {
  const { rows } = await db.pool.query(/* sql */ `SELECT
      (SELECT count(*)::int FROM raw_leads) AS raw,
      (SELECT count(*)::int FROM conversations) AS conversations,
      (SELECT count(*)::int FROM lead_events) AS events`);
  return rows[0] as { raw: number; conversations: number; events: number };
}

describe('Meta subscription check', () => {
  it("when Meta sends the right verify token, then the challenge is echoed as text; a wrong token gets 403, as Meta's reference answers", async () => {
    const ok = await fetch(`${ingest.url}/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${ingest.url}/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('Meta lead delivery', () => {
  it('when a signed webhook carries leadgen_id as the JSON number 12345678901234567, then it is answered before the lead is fetched, and the lead is captured with that exact id and its field data', async () => {
    const leadgenId = '12345678901234567';
    const graphLead = addGraphLead(leadgenId);
    const text = deliveryText(leadgenId);
    const release = graph.holdLeadFetches();
    let response;
    try {
      response = await postDelivery(text);
      // The Graph fetch cannot have completed: the stub holds it, yet the webhook is already answered.
      expect(graph.requests.filter((request) => request.path === leadgenId && request.status === 200)).toHaveLength(0);
      expect((await counts()).conversations).toBe(0);
    } finally {
      release();
    }
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ received: 1, stored: 1, queued: 1 });

    const lead = await waitFor('the Meta lead to be captured', async () => {
      const { rows } = await db.pool.query(`SELECT * FROM conversations WHERE source = 'meta' AND external_id = $1`, [leadgenId]);
      return rows[0];
    });
    expect(lead).toMatchObject({
      external_id: '12345678901234567',
      idempotency_key: 'meta:12345678901234567',
      name: 'Joe Example',
      email: 'joe@example.com',
      phone: '+14155550123',
      consent: {
        given: true,
        version: null,
        text: null,
        page: null,
        given_at: new Date(graphLead.created_time).toISOString(),
        source: 'meta',
        checkboxes: [{ key: 'marketing_optin', checked: true }],
      },
      metadata: {
        page_id: PAGE_ID,
        form_id: FORM_ID,
        ad_id: '600000000000001',
        adgroup_id: '800000000000001',
        campaign_id: '700000000000001',
        answers: { budget: '10k-20k' },
        ingested_via: 'webhook',
      },
    });
    // The SLA clock starts at Meta's created_time, not at capture.
    const windowMs = { hot: 15 * 60_000, warm: 60 * 60_000, cold: 24 * 60 * 60_000 }[lead.quality as 'hot' | 'warm' | 'cold'];
    expect(lead.sla_response_deadline.getTime()).toBe(new Date(graphLead.created_time).getTime() + windowMs);

    const events = await db.pool.query(`SELECT event_type FROM lead_events WHERE conversation_id = $1`, [lead.id]);
    expect(events.rows).toEqual([{ event_type: 'lead.created' }]);
    const fetched = graph.requests.find((request) => request.path === leadgenId);
    expect(fetched?.query.get('access_token')).toBe(graph.token);
    expect(fetched?.query.get('fields')).toContain('field_data');

    const raw = await waitFor('the payload to be marked processed', async () => {
      const { rows } = await db.pool.query(`SELECT body, status, headers FROM raw_leads WHERE external_id = $1`, [leadgenId]);
      return rows[0]?.status === 'processed' ? rows : undefined;
    });
    expect(raw).toEqual([
      {
        body: text,
        status: 'processed',
        headers: expect.objectContaining({ via: 'webhook', 'x-hub-signature-256': signMetaDelivery(text, APP_SECRET) }),
      },
    ]);
  });

  it('when the same delivery arrives 5 times at once and again later, then there is one lead and one lead.created event', async () => {
    const leadgenId = randomGraphId();
    addGraphLead(leadgenId);
    const text = deliveryText(leadgenId);
    const responses = await Promise.all(Array.from({ length: 5 }, () => postDelivery(text)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    const allProcessed = async () => {
      const { rows } = await db.pool.query(
        `SELECT count(*) FILTER (WHERE status = 'processed')::int AS done, count(*)::int AS total FROM raw_leads WHERE external_id = $1`,
        [leadgenId],
      );
      return rows[0].total > 0 && rows[0].done === rows[0].total ? rows[0].total : 0;
    };
    expect(await waitFor('all five deliveries to be processed', allProcessed)).toBe(5);

    expect((await postDelivery(text)).status).toBe(200);
    expect(await waitFor('the late delivery to be processed', allProcessed)).toBe(6);

    const { rows } = await db.pool.query(
      `SELECT count(DISTINCT c.id)::int AS leads, count(e.id)::int AS events
       FROM conversations c LEFT JOIN lead_events e ON e.conversation_id = c.id AND e.event_type = 'lead.created'
       WHERE c.idempotency_key = $1`,
      [`meta:${leadgenId}`],
    );
    expect(rows[0]).toEqual({ leads: 1, events: 1 });
  });

  it('when one delivery carries changes for several pages, then every lead is captured', async () => {
    const ids = [randomGraphId(), randomGraphId(), randomGraphId()];
    for (const id of ids) addGraphLead(id);
    const change = (id: string, page: string) =>
      `{"field":"leadgen","value":{"leadgen_id":${id},"page_id":${page},"form_id":${FORM_ID},"created_time":1767225600}}`;
    const text =
      `{"object":"page","entry":[{"id":"${PAGE_ID}","time":1767225600,"changes":[${change(ids[0]!, PAGE_ID)},${change(ids[1]!, PAGE_ID)}]},` +
      `{"id":"999888777666555","time":1767225600,"changes":[${change(ids[2]!, '999888777666555')},{"field":"feed","value":{}}]}]}`;
    const response = await postDelivery(text);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ received: 3, queued: 3, ignored: 1 });
    await waitFor('three leads', async () => {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM conversations WHERE external_id = ANY($1)`, [ids]);
      return rows[0].n === 3;
    });
    const { rows } = await db.pool.query(`SELECT metadata->>'page_id' AS page FROM conversations WHERE external_id = $1`, [ids[2]]);
    expect(rows[0].page).toBe('999888777666555');
  });

  it('when the Graph API does not know the lead (error 100), then the payload is kept as failed with the reason and nothing else breaks', async () => {
    const leadgenId = randomGraphId();
    expect((await postDelivery(deliveryText(leadgenId))).status).toBe(200);
    const row = await waitFor('the payload to be marked failed', async () => {
      const { rows } = await db.pool.query(`SELECT status, error_message FROM raw_leads WHERE external_id = $1 AND status = 'failed'`, [
        leadgenId,
      ]);
      return rows[0];
    });
    expect(row.error_message).toContain('Graph API error 100/33');
  });
});

describe('Meta signatures', () => {
  const text = deliveryText('12345678901234599');
  const reserialised = JSON.stringify(JSON.parse(text));
  const cases: [string, Record<string, string>, string?][] = [
    ['forged', { 'x-hub-signature-256': `sha256=${'ab'.repeat(32)}` }],
    ['over a tampered body', { 'x-hub-signature-256': signMetaDelivery(text, APP_SECRET) }, text.replace('1767225600', '1767225601')],
    ['empty', { 'x-hub-signature-256': '' }],
    ['not hex', { 'x-hub-signature-256': `sha256=${'zz'.repeat(32)}` }],
    ['sha1 only', { 'x-hub-signature': `sha1=${createHmac('sha1', APP_SECRET).update(text).digest('hex')}` }],
    ['missing', {}],
    ['over re-serialised JSON instead of the bytes sent', { 'x-hub-signature-256': signMetaDelivery(reserialised, APP_SECRET) }],
    ['made with another secret', { 'x-hub-signature-256': signMetaDelivery(text, 'not-the-app-secret') }],
  ];

  it.each(cases)('when the signature is %s, then 401 problem+json and nothing is stored', async (_label, headers, sentBody) => {
    const before = await counts();
    const response = await postDelivery(sentBody ?? text, headers);
    expect(response.status).toBe(401);
    expect(response.contentType).toContain('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 401, detail: expect.any(String) });
    expect(await counts()).toEqual(before);
  });

  // A fixed vector computed outside Node (Python's hmac module: HMAC-SHA256 of these exact bytes with APP_SECRET,
  // hex), written here as literals so neither the test's signer nor the product's made it.
  const VECTOR_BODY =
    '{"object":"page","entry":[{"id":"111222333444555","time":1767225600,"changes":[{"field":"leadgen","value":' +
    '{"ad_id":"600000000000001","form_id":"555000111222333","leadgen_id":12345678901234588,"created_time":1767225600,' +
    '"page_id":111222333444555,"adgroup_id":"800000000000001"}}]}]}';
  const VECTOR_SIGNATURE = 'sha256=9d4aeb7565f11f5d595959873d20e86cc0843d39f36a7a9cf2cd1058121b8042';

  it('when a delivery carries the fixed vector signature, then node:crypto, the test signer and the product signer all produce it and the endpoint accepts it, and with one digit changed refuses it', async () => {
    expect(`sha256=${createHmac('sha256', APP_SECRET).update(VECTOR_BODY).digest('hex')}`).toBe(VECTOR_SIGNATURE);
    expect(signMetaDelivery(VECTOR_BODY, APP_SECRET)).toBe(VECTOR_SIGNATURE);
    expect(signMetaBody(VECTOR_BODY, APP_SECRET)).toBe(VECTOR_SIGNATURE);
    // RFC 4231 test case 2 (HMAC-SHA-256, key "Jefe"): the product's signer is plain HMAC-SHA256 over the bytes.
    expect(signMetaBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );

    const before = await counts();
    const changed = await postDelivery(VECTOR_BODY, { 'x-hub-signature-256': `${VECTOR_SIGNATURE.slice(0, -1)}3` });
    expect(changed.status).toBe(401);
    expect(await counts()).toEqual(before);

    addGraphLead('12345678901234588');
    const accepted = await postDelivery(VECTOR_BODY, { 'x-hub-signature-256': VECTOR_SIGNATURE });
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.body)).toMatchObject({ received: 1, stored: 1, queued: 1 });
    await waitFor('the lead of the vector delivery', async () => {
      const { rows } = await db.pool.query(`SELECT 1 FROM conversations WHERE external_id = '12345678901234588'`);
      return rows.length === 1;
    });
  });

  it('when a correctly signed body is not JSON, then 400 (never 5xx) and the bytes are kept as failed for a human', async () => {
    const garbage = 'this is not json \u0000';
    const response = await postDelivery(garbage);
    expect(response.status).toBe(400);
    const { rows } = await db.pool.query(
      `SELECT status FROM raw_leads WHERE external_id IS NULL AND error_message LIKE '%not valid JSON%'`,
    );
    expect(rows).toEqual([{ status: 'failed' }]);
  });

  it('when the body is over 1 MB, then 413 and nothing is stored', async () => {
    const big = `{"object":"page","entry":[],"pad":"${'x'.repeat(1024 * 1024)}"}`;
    const before = await counts();
    const response = await postDelivery(big);
    expect(response.status).toBe(413);
    expect(await counts()).toEqual(before);
  });
});

describe('npm run meta:simulate', () => {
  it('when run against a Leadline, then it sends a signed Meta-style delivery, reports the 200 and the lead is captured', async () => {
    const leadgenId = randomGraphId();
    addGraphLead(leadgenId);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['scripts/meta-simulate.ts', '--url', ingest.url, '--leadgen-id', leadgenId, '--page-id', PAGE_ID, '--form-id', FORM_ID],
      {
        env: childProcessEnv({ ...process.env, META_APP_SECRET: APP_SECRET }),
      },
    );
    expect(stdout).toContain('200');
    expect(stdout).toContain(leadgenId);
    await waitFor('the simulated lead', async () => {
      const { rows } = await db.pool.query(`SELECT 1 FROM conversations WHERE external_id = $1`, [leadgenId]);
      return rows.length === 1;
    });
  });
});
