import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { startTestLeadline } from '../helpers/start-test-leadline.ts';

let db: TestDatabase;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('team_link_limits');
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '5' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe('team links are rate limited', () => {
  it('when one address tries more tokens than RATE_LIMIT_PER_MINUTE, then the next answer is 429 with Retry-After', async () => {
    const forged = 'A'.repeat(98);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${app.url}/l/${forged}${i}`)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    const limited = await fetch(`${app.url}/l/${forged}`, { method: 'POST' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
  });
});
