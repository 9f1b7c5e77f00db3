import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/digest/build-digest.ts';
import { renderDigest } from '../../src/digest/render-digest.ts';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline } from '../helpers/start-test-leadline.ts';

let db: TestDatabase;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('team_figures');
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

/** A lead captured at `createdAt`, answered `seconds` later (or never), assigned to `agentId`. */
async function answeredLead(fields: { createdAt: Date; seconds: number | null; agentId: string | null; source: string }): Promise<void> {
  await db.pool.query(
    `INSERT INTO conversations (source, name, email, quality, idempotency_key, created_at, sla_response_deadline, sla_warning_at, first_response_at, assigned_to, status)
     VALUES ($1, 'Figure Lead', $2, 'warm', $3, $4, $4::timestamptz + interval '1 hour', $4::timestamptz + interval '30 minutes',
             $4::timestamptz + make_interval(secs => $5::int), $6, CASE WHEN $5::int IS NULL THEN 'new' ELSE 'contacted' END)`,
    [fields.source, `${randomUUID()}@example.com`, `seed:${randomUUID()}`, fields.createdAt, fields.seconds, fields.agentId],
  );
}

describe('speed-to-lead figures (issue 15, "Speed-to-lead figures")', () => {
  it('when agents answered leads from two sources, then /api/admin/stats and the digest give median and p90 per agent and per source', async () => {
    const ada = (await postJson(`${app.url}/api/admin/agents`, { name: 'Ada Figures' }, adminHeaders())).body.id as string;
    const bo = (await postJson(`${app.url}/api/admin/agents`, { name: 'Bo Figures' }, adminHeaders())).body.id as string;
    const day = new Date('2026-11-30T09:00:00Z');
    // An hour ago: never on the digest day above.
    const recent = new Date(Date.now() - 3_600_000);
    for (const at of [day, recent]) {
      // Ada: 60, 120, 180 s (median 120, p90 168); Bo: 600, 1200 s (median 900, p90 1140). One never answered.
      await answeredLead({ createdAt: at, seconds: 60, agentId: ada, source: 'api' });
      await answeredLead({ createdAt: at, seconds: 120, agentId: ada, source: 'api' });
      await answeredLead({ createdAt: at, seconds: 180, agentId: ada, source: 'meta' });
      await answeredLead({ createdAt: at, seconds: 600, agentId: bo, source: 'meta' });
      await answeredLead({ createdAt: at, seconds: 1200, agentId: bo, source: 'meta' });
      await answeredLead({ createdAt: at, seconds: null, agentId: bo, source: 'meta' });
    }

    const stats = await (await fetch(`${app.url}/api/admin/stats`, { headers: adminHeaders() })).json();
    const byAgent = Object.fromEntries(stats.speed_to_lead.by_agent.map((row: { name: string }) => [row.name, row]));
    // The window holds the recent set only when the day above is more than 30 days back; both are counted otherwise.
    const sets = Date.now() - day.getTime() < 30 * 86_400_000 ? 2 : 1;
    expect(byAgent['Ada Figures']).toMatchObject({ agent_id: ada, answered: 3 * sets, median_seconds: 120 });
    expect(byAgent['Bo Figures']).toMatchObject({ agent_id: bo, answered: 2 * sets, median_seconds: 900 });
    if (sets === 1) {
      expect(byAgent['Ada Figures'].p90_seconds).toBe(168);
      expect(byAgent['Bo Figures'].p90_seconds).toBe(1140);
    }
    const bySource = Object.fromEntries(stats.speed_to_lead.by_source.map((row: { source: string }) => [row.source, row]));
    expect(bySource['api']).toMatchObject({ answered: 2 * sets, median_seconds: 90 });
    expect(bySource['meta']).toMatchObject({ answered: 3 * sets, median_seconds: 600 });
    expect(stats.speed_to_lead.overall).toMatchObject({ answered: 5 * sets, median_seconds: 180 });

    const digest = await buildDigest(db.pool, '2026-11-30', 'UTC');
    expect(digest.speedToLead?.by_agent).toEqual([
      { agent_id: ada, name: 'Ada Figures', answered: 3, median_seconds: 120, p90_seconds: 168 },
      { agent_id: bo, name: 'Bo Figures', answered: 2, median_seconds: 900, p90_seconds: 1140 },
    ]);
    const text = renderDigest(digest).text;
    expect(text).toContain('Ada Figures (agent): median 2m 00s, p90 2m 48s, 3 answered');
    expect(text).toContain('meta (source): median 10m 00s');
  });
});
