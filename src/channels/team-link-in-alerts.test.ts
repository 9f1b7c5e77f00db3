import { describe, expect, it } from 'vitest';
import { makeLead, makeMessage } from '../../test/stubs/notice-fixtures.ts';
import type { Notice } from './channel.ts';
import { formatEmailMessage } from './email/format-email-message.ts';
import { formatLogEntry } from './log/format-log-entry.ts';
import { formatSlackMessage } from './slack/format-slack-message.ts';
import { formatTelegramMessage } from './telegram/format-telegram-message.ts';

const LINK = 'https://leads.example.com/l/AQAAAAFpV0xx_team-link-token-0123456789abcdefghijklmnopqrstuv';

const notice = (kind: 'lead.created' | 'sla.warning' | 'sla.breached', overrides: Parameters<typeof makeLead>[0] = {}): Notice => ({
  kind,
  eventId: 'evt-9',
  lead: makeLead({ teamLink: LINK, ...overrides }),
});

describe('lead alerts carry the team link and the owner', () => {
  it('when a lead alert has a team link, then Slack, Telegram, email (text and HTML) and the log entry all carry it', () => {
    const message = makeMessage([notice('lead.created')]);
    expect(JSON.stringify(formatSlackMessage(message))).toContain(LINK);
    expect(formatTelegramMessage(message)).toContain(`href="${LINK}"`);
    const email = formatEmailMessage(message);
    expect(email.text).toContain(LINK);
    expect(email.html).toContain(LINK);
    expect(formatLogEntry(message).fields.notices[0]?.teamLink).toBe(LINK);
  });

  it('when a hot lead at risk has nobody assigned while a team exists, then the warning says it is unassigned', () => {
    const message = makeMessage([notice('sla.warning', { quality: 'hot', assignee: null })]);
    expect(JSON.stringify(formatSlackMessage(message))).toContain('UNASSIGNED');
    expect(formatTelegramMessage(message)).toContain('UNASSIGNED');
    expect(formatEmailMessage(message).text).toContain('UNASSIGNED');
  });

  it('when the lead has an owner, then the alert names them; without a team, no owner line at all', () => {
    expect(formatEmailMessage(makeMessage([notice('sla.breached', { assignee: 'Ada Agent' })])).text).toContain(
      'Owner: Assigned to Ada Agent',
    );
    expect(formatEmailMessage(makeMessage([notice('lead.created')])).text).not.toContain('Owner');
  });
});
