import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { RETRY_DELAYS_MS } from '../../src/delivery/retry-schedule.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stubs/start-webhook-receiver.ts';

/*
 * On its own file: the retries wait out the real backoff (about 10 s, then about 30 s), which is what a
 * receiver sees, so this file takes a minute while the others run beside it.
 */

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let db: TestDatabase;
let receiver: WebhookReceiver;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('webhook_retries');
  receiver = await startWebhookReceiver();
  app = await startTestLeadline(db.url, {
    OUTBOUND_WEBHOOKS: `crm=${receiver.urlFor('crm')}`,
    OUTBOUND_WEBHOOK_SECRET: SECRET,
    OUTBOUND_ALLOW_PRIVATE: 'true',
  });
});
afterAll(async () => {
  await app?.stop();
  await receiver?.close();
  await db?.drop();
});

describe('outbound webhook retries', () => {
  it('when the receiver answers 500, then 502, then 200, then the lead is delivered once, after backoff, and every try carries the same webhook-id', async () => {
    receiver.script('crm', { status: 500 }, { status: 502 });
    const created = await postJson(`${app.url}/api/leads`, { name: 'Flaky Receiver Lead', email: 'flaky@example.com' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    await waitFor('the third try', () => receiver.receivedBy('crm').some((request) => request.status === 200), 90_000);
    const tries = receiver.receivedBy('crm');
    expect(tries.map((request) => request.status)).toEqual([500, 502, 200]);
    const { rows: events } = await db.pool.query(
      `SELECT id::text FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.created'`,
      [id],
    );
    expect(tries.map((request) => request.headers['webhook-id'])).toEqual([events[0].id, events[0].id, events[0].id]);
    for (const request of tries)
      expect(() => new Webhook(SECRET).verify(request.rawBody, request.headers as Record<string, string>)).not.toThrow();
    // Backoff with ±20% jitter: the first wait is about 10 s, the second about 30 s.
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0]! * 0.8 - 100);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[1]! * 0.8 - 100);

    await waitFor('the sent row', async () => {
      const { rows } = await db.pool.query(
        `SELECT status FROM notification_logs WHERE conversation_id = $1 AND channel = 'webhook:crm' ORDER BY id`,
        [id],
      );
      return rows.map((row) => row.status).join(',') === 'failed,failed,sent';
    });
    const { rows: timeline } = await db.pool.query(
      `SELECT title FROM conversation_timeline WHERE conversation_id = $1 AND metadata->>'channel' = 'webhook:crm' ORDER BY id`,
      [id],
    );
    expect(timeline.map((row) => row.title)).toEqual([
      'Webhook crm delivery failed, will retry',
      'Webhook crm delivery failed, will retry',
      'Webhook crm notified (lead.created)',
    ]);
  }, 120_000);
});
