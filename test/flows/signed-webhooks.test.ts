import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayRawLeads } from '../../src/ingest/replay-raw-leads.ts';
import { signStandardWebhook } from '../../src/ingest/verify-standard-webhook.ts';
import { startTestLeadline } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { startIngestTestApp, type IngestTestApp } from './meta-harness.ts';

const ZAPIER_OLD = `whsec_${Buffer.from('zapier-old-secret-0123456789').toString('base64')}`;
const ZAPIER_NEW = `whsec_${Buffer.from('zapier-new-secret-9876543210').toString('base64')}`;
const N8N = 'a-plain-shared-secret-typed-into-n8n';

let db: TestDatabase;
let ingest: IngestTestApp;

beforeAll(async () => {
  db = await createTestDatabase('signed_webhooks');
  ingest = await startIngestTestApp(db.url, { WEBHOOK_SECRETS: `zapier=${ZAPIER_OLD},zapier=${ZAPIER_NEW},n8n=${N8N}` }, { workers: 0 });
});
afterAll(async () => {
  await ingest?.stop();
  await db?.drop();
});

/**
 * A `webhook-signature` header made by the standardwebhooks reference library, never by the product's signer. A
 * secret without the `whsec_` prefix is used as its UTF-8 bytes (the library's `raw` format).
 */
function referenceSignature(secret: string, id: string, timestamp: number, body: string): string {
  const webhook = secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(secret, { format: 'raw' });
  return webhook.sign(id, new Date(timestamp * 1000), body);
}

interface Sent {
  status: number;
  body: Record<string, any>;
  contentType: string;
}

async function send(
  source: string,
  payload: unknown,
  options: { secret?: string; id?: string; timestamp?: number; signature?: string; body?: string } = {},
): Promise<Sent> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const body = options.body ?? JSON.stringify(payload);
  const signature = options.signature ?? referenceSignature(options.secret ?? ZAPIER_NEW, id, timestamp, body);
  const response = await fetch(`${ingest.url}/api/webhooks/${source}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, any>,
    contentType: response.headers.get('content-type') ?? '',
  };
}

const lead = {
  name: 'Zara Zap',
  email: 'zara@example.com',
  phone: '+14155550142',
  message: 'Quote for a kitchen refit please',
  source: 'typeform',
  metadata: { utm_source: 'zapier' },
};

async function totals() {
  const { rows } = await db.pool.query(
    `SELECT (SELECT count(*)::int FROM conversations) AS leads, (SELECT count(*)::int FROM raw_leads) AS raw`,
  );
  return rows[0] as { leads: number; raw: number };
}

describe('Standard Webhooks senders', () => {
  it('when a sender signs a lead correctly, then 201 {id, quality, sla_deadline} and the lead is stored under the sender with webhook-id as its key', async () => {
    const id = `msg_${randomUUID()}`;
    const response = await send('zapier', lead, { id });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      quality: expect.stringMatching(/^(hot|warm|cold)$/),
      sla_deadline: expect.any(String),
    });
    const { rows } = await db.pool.query(`SELECT source, idempotency_key, email, metadata FROM conversations WHERE id = $1`, [
      response.body['id'],
    ]);
    expect(rows[0]).toEqual({
      source: 'zapier',
      idempotency_key: `zapier:${id}`,
      email: 'zara@example.com',
      metadata: { utm_source: 'zapier', origin: 'typeform' },
    });
    const events = await db.pool.query(`SELECT event_type FROM lead_events WHERE conversation_id = $1`, [response.body['id']]);
    expect(events.rows).toEqual([{ event_type: 'lead.created' }]);
    const raw = await db.pool.query(`SELECT status, external_id FROM raw_leads WHERE source = 'zapier' AND external_id = $1`, [id]);
    expect(raw.rows).toEqual([{ status: 'processed', external_id: id }]);
  });

  it('when the same webhook-id arrives again, then 200 with the original id and duplicate: true', async () => {
    const id = `msg_${randomUUID()}`;
    const first = await send('zapier', lead, { id });
    const again = await send('zapier', lead, { id });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body['id'], duplicate: true });
  });

  it('when the sender rotated its secret, then signatures with the old or the new one are accepted, and a header listing both works', async () => {
    expect((await send('zapier', lead, { secret: ZAPIER_OLD })).status).toBe(201);
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(lead);
    const both = `${referenceSignature('whsec_dW5rbm93bg==', id, timestamp, body)} ${referenceSignature(ZAPIER_NEW, id, timestamp, body)}`;
    expect((await send('zapier', lead, { id, timestamp, body, signature: both })).status).toBe(201);
  });

  it('when the secret is a plain string (no whsec_ prefix), then its UTF-8 bytes are the key', async () => {
    expect((await send('n8n', lead, { secret: N8N })).status).toBe(201);
  });

  it.each([
    ['a timestamp an hour old', { timestamp: Math.floor(Date.now() / 1000) - 3600 }],
    ['a forged signature', { signature: `v1,${Buffer.alloc(32, 7).toString('base64')}` }],
    ["another sender's secret", { secret: N8N }],
    ['no v1 signature', { signature: 'v1a,abc' }],
  ])('when the request has %s, then 401 problem+json and nothing is stored', async (_label, options) => {
    const before = await totals();
    const response = await send('zapier', lead, options);
    expect(response.status).toBe(401);
    expect(response.contentType).toContain('application/problem+json');
    expect(await totals()).toEqual(before);
  });

  it('when the body was changed after signing, then 401', async () => {
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = referenceSignature(ZAPIER_NEW, id, timestamp, JSON.stringify(lead));
    const response = await send('zapier', null, { id, timestamp, signature, body: JSON.stringify({ ...lead, email: 'evil@example.com' }) });
    expect(response.status).toBe(401);
  });

  it('when the sender is not in WEBHOOK_SECRETS, then 404 and nothing is stored', async () => {
    const before = await totals();
    const response = await send('hubspot', lead);
    expect(response.status).toBe(404);
    expect(await totals()).toEqual(before);
  });

  it('when a signed body is not a valid lead, then 400 with field errors, and the payload is kept as failed (a later replay reports it again)', async () => {
    const response = await send('zapier', { email: 'no-name@example.com', colour: 'blue' });
    expect(response.status).toBe(400);
    expect(response.body['errors']).toEqual(
      expect.arrayContaining([
        { path: 'name', message: expect.any(String) },
        { path: 'colour', message: 'is not an allowed field' },
      ]),
    );
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM raw_leads WHERE source = 'zapier' AND status = 'failed'`);
    expect(rows[0].n).toBe(1);
    const replay = await replayRawLeads(ingest.deps, { source: 'zapier', status: 'failed' });
    expect(replay).toMatchObject({ selected: 1, failed: 1, captured: 0 });
  });
});

/**
 * The Standard Webhooks specification's published example, as its reference library's own test suite pins it:
 * standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, test "sign function works".
 */
const SPEC_VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('the Standard Webhooks published example', () => {
  it('when signed by the reference library and by the product, then both give the published signature', () => {
    const { secret, id, timestamp, payload, signature } = SPEC_VECTOR;
    expect(new Webhook(secret).sign(id, new Date(timestamp * 1000), payload)).toBe(signature);
    expect(`v1,${signStandardWebhook(secret, id, timestamp, payload)}`).toBe(signature);
  });

  it('when the published example is posted to a Leadline whose clock reads its timestamp, then its signature is accepted (its body is no lead: 400, kept as failed), and with one character changed it is 401', async () => {
    const { secret, id, timestamp, payload, signature } = SPEC_VECTOR;
    // The example is from 2021: the sender check allows 5 minutes of skew, so this Leadline lives at that time.
    const vector = await startTestLeadline(
      db.url,
      { ROLE: 'api', WEBHOOK_SECRETS: `spec=${secret}` },
      { clock: { now: () => new Date(timestamp * 1000) } },
    );
    try {
      const post = (signatureHeader: string) =>
        fetch(`${vector.url}/api/webhooks/spec`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signatureHeader,
          },
          body: payload,
        });
      const forged = await post(signature.replace('g0hM', 'h0hM'));
      expect(forged.status).toBe(401);
      await forged.arrayBuffer();

      const accepted = await post(signature);
      // Past the signature check, the body is judged as a lead: it has none of a lead's fields.
      expect(accepted.status).toBe(400);
      expect(((await accepted.json()) as { errors: { path: string }[] }).errors).toContainEqual({
        path: 'test',
        message: 'is not an allowed field',
      });
      const { rows } = await db.pool.query(`SELECT status, body FROM raw_leads WHERE source = 'spec' AND external_id = $1`, [id]);
      expect(rows).toEqual([{ status: 'failed', body: payload }]);
    } finally {
      await vector.stop();
    }
  });
});
