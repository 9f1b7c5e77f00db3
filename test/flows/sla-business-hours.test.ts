import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLead } from '../../src/capture/capture-lead.ts';
import type { LeadDraft } from '../../src/capture/lead-draft.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createWorkingTimeAdder } from '../../src/time/add-working-time.ts';
import { breachOverdueLeads } from '../../src/sla/breach-overdue-leads.ts';
import { listSlaLeads } from '../../src/sla/list-sla-leads.ts';
import { warnAtRiskLeads } from '../../src/sla/warn-at-risk-leads.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('sla-business-hours');
});
afterAll(async () => {
  await db?.drop();
});

// What a user sets; read through the real config so the variable names and defaults are the real ones.
const config = loadConfig({ NODE_ENV: 'test', BUSINESS_HOURS: 'Mon-Fri 09:00-18:00', BUSINESS_TZ: 'Europe/Berlin' });
const addWorkingTime = createWorkingTimeAdder(config.sla);
const clockAt = (iso: string) => ({ now: () => new Date(iso) });

let counter = 0;
const hotLead = (): LeadDraft => ({
  source: 'api',
  name: `Night Owl ${++counter}`,
  email: null,
  phone: '+14155550100',
  messages: [],
  urgency: 'emergency',
});
const warmLead = (): LeadDraft => ({
  source: 'contact-form',
  name: `Planner ${++counter}`,
  email: 'planner@example.com',
  phone: null,
  message: 'Please call me back about pricing',
  messages: [],
});

async function capture(
  draft: LeadDraft,
  capturedAt: string,
): Promise<{ id: string; quality: string; deadline: string; warningAt: string }> {
  const result = await captureLead({ db: db.pool, clock: clockAt(capturedAt), sla: config.sla, addWorkingTime }, draft);
  const { rows } = await db.pool.query<{ sla_warning_at: Date; sla_response_deadline: Date }>(
    `SELECT sla_warning_at, sla_response_deadline FROM conversations WHERE id = $1`,
    [result.id],
  );
  return {
    id: result.id,
    quality: result.quality,
    deadline: rows[0]!.sla_response_deadline.toISOString(),
    warningAt: rows[0]!.sla_warning_at.toISOString(),
  };
}

describe('business hours (Mon-Fri 09:00-18:00 Europe/Berlin) at fixed clock times', () => {
  const cases: { name: string; draft: () => LeadDraft; capturedAt: string; quality: string; warningAt: string; deadline: string }[] = [
    {
      name: 'a HOT lead at 02:30 on a Tuesday night',
      draft: hotLead,
      capturedAt: '2025-06-03T00:30:00Z',
      quality: 'hot',
      warningAt: '2025-06-03T07:07:30.000Z',
      deadline: '2025-06-03T07:15:00.000Z',
    },
    {
      name: 'a HOT lead at 23:00 on Friday',
      draft: hotLead,
      capturedAt: '2025-06-06T21:00:00Z',
      quality: 'hot',
      warningAt: '2025-06-09T07:07:30.000Z',
      deadline: '2025-06-09T07:15:00.000Z',
    },
    {
      name: 'a HOT lead on Saturday noon',
      draft: hotLead,
      capturedAt: '2025-06-07T10:00:00Z',
      quality: 'hot',
      warningAt: '2025-06-09T07:07:30.000Z',
      deadline: '2025-06-09T07:15:00.000Z',
    },
    {
      name: 'a HOT lead during office hours',
      draft: hotLead,
      capturedAt: '2025-06-04T12:00:00Z',
      quality: 'hot',
      warningAt: '2025-06-04T12:07:30.000Z',
      deadline: '2025-06-04T12:15:00.000Z',
    },
    {
      name: 'a WARM lead at 17:30 CET on the Friday before clocks go forward',
      draft: warmLead,
      capturedAt: '2025-03-28T16:30:00Z',
      quality: 'warm',
      warningAt: '2025-03-28T17:00:00.000Z',
      deadline: '2025-03-31T07:30:00.000Z',
    },
    {
      name: 'a WARM lead at 17:30 CEST on the Friday before clocks go back',
      draft: warmLead,
      capturedAt: '2025-10-24T15:30:00Z',
      quality: 'warm',
      warningAt: '2025-10-24T16:00:00.000Z',
      deadline: '2025-10-27T08:30:00.000Z',
    },
  ];
  for (const { name, draft, capturedAt, quality, warningAt, deadline } of cases) {
    it(`when ${name} is captured, then it is at risk at ${warningAt} and due at ${deadline}`, async () => {
      expect(await capture(draft(), capturedAt)).toMatchObject({ quality, warningAt, deadline });
    });
  }

  it('when the clock reaches Monday 09:07:30 and 09:15 for a lead from the weekend, then it is warned and breached exactly then, by the rows and the clock', async () => {
    const lead = await capture(hotLead(), '2025-06-07T10:00:00Z');
    const only = { ids: [lead.id] };
    expect((await warnAtRiskLeads(db.pool, new Date('2025-06-09T07:07:29.999Z'), only)).conversationIds).toEqual([]);
    expect((await listSlaLeads(db.pool, new Date('2025-06-09T07:07:29.999Z'))).leads.map((l) => l.id)).not.toContain(lead.id);
    expect((await warnAtRiskLeads(db.pool, new Date('2025-06-09T07:07:30Z'), only)).conversationIds).toEqual([lead.id]);
    expect((await warnAtRiskLeads(db.pool, new Date('2025-06-09T07:08:00Z'), only)).conversationIds).toEqual([]);
    expect((await breachOverdueLeads(db.pool, new Date('2025-06-09T07:14:59.999Z'), only)).conversationIds).toEqual([]);
    expect((await breachOverdueLeads(db.pool, new Date('2025-06-09T07:15:00Z'), only)).conversationIds).toEqual([lead.id]);
    expect((await breachOverdueLeads(db.pool, new Date('2025-06-09T07:16:00Z'), only)).conversationIds).toEqual([]);

    const { rows } = await db.pool.query(`SELECT sla_warned_at, sla_breached_at FROM conversations WHERE id = $1`, [lead.id]);
    expect(rows[0]).toEqual({ sla_warned_at: new Date('2025-06-09T07:07:30Z'), sla_breached_at: new Date('2025-06-09T07:15:00Z') });
    const banner = await listSlaLeads(db.pool, new Date('2025-06-09T07:20:00Z'));
    expect(banner.leads.find((l) => l.id === lead.id)).toMatchObject({ sla_state: 'breached', seconds_left: -300 });
  });
});
