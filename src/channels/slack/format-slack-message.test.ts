import { describe, expect, it } from 'vitest';
import { slackPayloadError } from '../../../test/stubs/start-slack-stub.ts';
import { NASTY_NAME, leadCreated, makeLead, makeMessage, manyLeadsCreated } from '../../../test/stubs/notice-fixtures.ts';
import type { Notice } from '../channel.ts';
import { formatSlackMessage } from './format-slack-message.ts';

const DEADLINE = '<!date^1746108900^{date_short_pretty} at {time}|2025-05-01 14:15 UTC>';

describe('formatSlackMessage', () => {
  it('when one new lead is formatted, then the card shows name, contact, source, quality, deadline and link', () => {
    const payload = formatSlackMessage(makeMessage([leadCreated()]));

    expect(payload).toEqual({
      text: 'New HOT lead: Ada Lovelace',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*New HOT lead:* Ada Lovelace' },
          fields: [
            { type: 'mrkdwn', text: '*Contact*\n`ada@example.com` / `+442071838750`' },
            { type: 'mrkdwn', text: '*Source*\n`contact_form`' },
            { type: 'mrkdwn', text: '*Quality*\nHOT (score 87)' },
            { type: 'mrkdwn', text: `*Respond by*\n${DEADLINE}` },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: '*Message*\nPlease call me about the analytical engine.' } },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: '<http://127.0.0.1:3000/admin#/leads/0196a1b2-0000-7000-8000-000000000001|Open the lead in Leadline>',
            },
          ],
        },
      ],
    });
  });

  it('when the lead text carries Slack formatting and bare links, then none of it can format or link', () => {
    const lead = makeLead({
      name: '*Boss* _urgent_',
      message: 'click *here* or ~this~ `now`: https://evil.example/pay www.evil.example mailto:evil@evil.example evil.example',
    });
    const payload = formatSlackMessage(makeMessage([{ kind: 'lead.created', eventId: 'e', lead }]));
    const [card, message] = payload.blocks;
    const headline = card?.type === 'section' ? card.text.text : '';
    const body = message?.type === 'section' ? message.text.text : '';
    expect(headline).toBe('*New HOT lead:* \u2217Boss\u2217 \u02cdurgent\u02cd');
    expect(body.replace(/^\*Message\*\n/, '')).not.toMatch(/[*_~`]/);
    expect(body).not.toMatch(/:\/\/|\.example|mailto:/);
    expect(body).toContain('https\u2236//evil\u2024example/pay');
  });

  it('when the name and message carry mentions and markup, then they are escaped and no mention can fire', () => {
    const lead = makeLead({ name: NASTY_NAME, message: 'ping <@U123> and <#C42> @here @everyone & <!channel>' });
    const json = JSON.stringify(formatSlackMessage(makeMessage([{ kind: 'lead.created', eventId: 'e', lead }])));

    expect(json).toContain('&lt;b&gt;\u02cd\u2217[ &amp; @\u200bchannel &lt;!here&gt;');
    expect(json).toContain('ping &lt;@U123&gt; and &lt;#C42&gt; @\u200bhere @\u200beveryone &amp; &lt;!channel&gt;');
    // The only `<` left are our own date and link tokens.
    expect(json.match(/<[^h!]/g)).toBeNull();
    expect(json.match(/<!(?!date\^)/g)).toBeNull();
    expect(json).not.toMatch(/(?<![\w.+-])@(channel|here|everyone)/);
  });

  it('when a contact address contains @here, then it is left intact', () => {
    const payload = formatSlackMessage(makeMessage([leadCreated({ email: 'ops@here.example' })]));

    expect(JSON.stringify(payload)).toContain('ops@here.example');
  });

  it('when an SLA warning is formatted, then the headline says the SLA is at risk and shows when it arrived', () => {
    const notice: Notice = { kind: 'sla.warning', eventId: 'e', lead: makeLead({ quality: 'warm' }) };
    const payload = formatSlackMessage(makeMessage([notice]));

    expect(payload.text).toBe('SLA at risk: Ada Lovelace');
    expect(JSON.stringify(payload.blocks)).toContain('*Received*');
  });

  it('when an operator alert is formatted with an admin URL, then it shows title, detail and the panel link', () => {
    const notice: Notice = { kind: 'operator', eventId: 'e', title: 'Email failing', detail: 'SMTP 550 <x>' };
    const payload = formatSlackMessage(makeMessage([notice]), { adminBaseUrl: 'http://127.0.0.1:3000/admin' });

    expect(payload).toEqual({
      text: 'Leadline alert: Email failing',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*Leadline alert:* Email failing\nSMTP 550 &lt;x&gt;' } },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: '<http://127.0.0.1:3000/admin|Open the Leadline admin panel>' }],
        },
      ],
    });
  });

  it('when 12 new leads are coalesced, then one summary names every lead with its quality', () => {
    const notices = manyLeadsCreated(12);
    const payload = formatSlackMessage(makeMessage(notices));

    expect(payload.text.startsWith('12 new leads: Lead 0001 (HOT), Lead 0002 (WARM), Lead 0003 (COLD)')).toBe(true);
    const body = JSON.stringify(payload.blocks);
    for (const notice of notices) {
      if (notice.kind !== 'lead.created') throw new Error('fixture');
      expect(body).toContain(`|${notice.lead.name ?? ''}>`);
    }
    expect(payload.blocks[1]).toMatchObject({
      type: 'section',
      text: { text: expect.stringMatching(/^- \*HOT\* <http:[^|]+\|Lead 0001> - `contact_form` - respond by <!date/) },
    });
  });

  it('when a burst mixes new leads, SLA notices and an operator alert, then each one is named', () => {
    const notices: Notice[] = [
      leadCreated({ name: 'Ada' }),
      { kind: 'sla.breached', eventId: 'b', lead: makeLead({ name: 'Grace' }) },
      { kind: 'sla.warning', eventId: 'w', lead: makeLead({ name: 'Linus' }) },
      { kind: 'operator', eventId: 'o', title: 'Telegram bot blocked', detail: 'chat 42' },
    ];
    const payload = formatSlackMessage(makeMessage(notices));

    expect(payload.text).toBe(
      '4 notices: 1 new lead, 1 SLA at risk, 1 SLA breached, 1 alert: Ada (HOT), Grace (HOT), Linus (HOT), alert Telegram bot blocked',
    );
    const body = JSON.stringify(payload.blocks);
    expect(body).toContain('*SLA BREACHED, HOT* <');
    expect(body).toContain('*SLA AT RISK, HOT* <');
    expect(body).toContain('*ALERT* Telegram bot blocked: chat 42');
  });

  it('when 50 notices with the longest nasty names are coalesced, then the payload stays within Slack limits', () => {
    const longNasty = `${NASTY_NAME}&&&&`.repeat(20);
    const notices = Array.from({ length: 50 }, (_, index): Notice => ({
      kind: 'lead.created',
      eventId: `e${index}`,
      lead: makeLead({ id: `id-${index}`, name: `${index} ${longNasty}`, source: '<&>'.repeat(50) }),
    }));
    const payload = formatSlackMessage(makeMessage(notices));

    expect(slackPayloadError(payload)).toBeNull();
    const body = JSON.stringify(payload.blocks);
    for (let index = 0; index < 50; index += 1) expect(body).toContain(`/admin#/leads/id-${index}|${index} &lt;b&gt;`);
  });

  it('when a lead has no name and no contact, then it is called an unnamed lead and says so', () => {
    const payload = formatSlackMessage(makeMessage([leadCreated({ name: '  ', email: null, phone: null })]));

    expect(payload.text).toBe('New HOT lead: Unnamed lead');
    expect(JSON.stringify(payload.blocks)).toContain('*Contact*\\nno contact details');
  });

  it('when a long daily digest is formatted, then its text is escaped and cut to fit Slack limits', () => {
    const text = Array.from({ length: 5000 }, (_, index) => `line ${index} <!channel> & more`).join('\n');
    const notice: Notice = { kind: 'digest', eventId: 'd', subject: 'Daily digest', text, html: '' };
    const payload = formatSlackMessage(makeMessage([notice]), { adminBaseUrl: 'http://127.0.0.1:3000/admin' });

    expect(slackPayloadError(payload)).toBeNull();
    expect(payload.text).toBe('Daily digest');
    const body = JSON.stringify(payload.blocks);
    expect(body).toContain('line 0 &lt;!channel&gt; &amp; more');
    expect(body).toContain('The digest continues in the email version and the admin panel.');
    expect(body).toContain('Open the Leadline admin panel');
  });
});
