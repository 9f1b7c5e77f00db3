import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { postJson, startTestLeadline } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

let db: TestDatabase;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('rate_limits');
  app = await startTestLeadline(db.url, {
    ROLE: 'api',
    RATE_LIMIT_PER_MINUTE: '3',
    TRUST_PROXY: '1',
    WEBHOOK_SECRETS: 'zap=whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=',
    METRICS_TOKEN: 'metrics-token-0123456789',
  });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

const lead = (n: number) => ({ name: 'Limited', email: `limited${n}@example.com` });

describe('rate limits', () => {
  it('when one IPv6 client rotates addresses inside its /56, then it shares one limit; another /56 has its own', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 4; n += 1) {
      const response = await postJson(`${app.url}/api/leads`, lead(n), { 'x-forwarded-for': `2001:db8:aa:bb${n}0::${n + 1}` });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    const other = await postJson(`${app.url}/api/leads`, lead(9), { 'x-forwarded-for': '2001:db8:aa:100::1' });
    expect(other.status).toBe(201);
  });

  it('when a sender keeps failing signature checks, then it is limited before its bodies are read; a good sender is not', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 5; n += 1) {
      const response = await fetch(`${app.url}/api/webhooks/zap`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': '198.51.100.7',
          'webhook-id': `msg_${n}`,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': 'v1,AAAA',
        },
        body: JSON.stringify(lead(n)),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Unsigned requests are refused from the headers alone.
    const unsigned = await fetch(`${app.url}/api/webhooks/zap`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '198.51.100.8' },
      body: 'x'.repeat(10),
    });
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).detail).toMatch(/webhook-id/);
  });

  it('when METRICS_TOKEN is set, then /metrics needs it', async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const scraped = await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('leadline_database_up 1');
  });
});
