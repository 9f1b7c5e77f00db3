import { describe, expect, it } from 'vitest';
import { NASTY_NAME, leadCreated, makeLead, makeMessage, manyLeadsCreated } from '../../../test/stubs/notice-fixtures.ts';
import type { Notice } from '../channel.ts';
import { emailMessageId, formatEmailMessage } from './format-email-message.ts';

describe('formatEmailMessage', () => {
  it('when one new lead is formatted, then subject, text part and Message-ID are exact', () => {
    const content = formatEmailMessage(makeMessage([leadCreated()], 'evt-1:email'));

    expect(content.subject).toBe('New HOT lead: Ada Lovelace');
    expect(content.messageId).toBe('<evt-1=3Aemail@leadline>');
    expect(content.audience).toBe('alert');
    expect(content.text).toBe(
      [
        'New HOT lead: Ada Lovelace',
        '',
        'Name: Ada Lovelace',
        'Email: ada@example.com',
        'Phone: +442071838750',
        'Source: contact_form',
        'Quality: HOT (score 87)',
        'Respond by: 2025-05-01 14:15 UTC',
        '',
        'Message:',
        'Please call me about the analytical engine.',
        '',
        'Open the lead: http://127.0.0.1:3000/admin#/leads/0196a1b2-0000-7000-8000-000000000001',
        '',
      ].join('\n'),
    );
    expect(content.html).toContain('<h2 style="font-size:18px;margin:0 0 12px">New HOT lead: Ada Lovelace</h2>');
    expect(content.html).toContain('<a href="http://127.0.0.1:3000/admin#/leads/0196a1b2-0000-7000-8000-000000000001">');
  });

  it.each([
    ['sla.warning', 'SLA at risk: Ada Lovelace'],
    ['sla.breached', 'SLA breached: Ada Lovelace'],
  ] as const)('when a %s notice is formatted, then the subject is "%s"', (kind, subject) => {
    const content = formatEmailMessage(makeMessage([{ kind, eventId: 'e', lead: makeLead() }]));

    expect(content.subject).toBe(subject);
    expect(content.text).toContain('Received: 2025-05-01 14:00 UTC');
  });

  it('when an operator alert is formatted, then the subject starts with "Leadline alert:"', () => {
    const notice: Notice = { kind: 'operator', eventId: 'e', title: 'Slack webhook archived', detail: '410 <b>' };
    const content = formatEmailMessage(makeMessage([notice]), { adminBaseUrl: 'http://127.0.0.1:3000/admin' });

    expect(content.subject).toBe('Leadline alert: Slack webhook archived');
    expect(content.html).toContain('410 &lt;b&gt;');
    expect(content.text).toContain('Admin panel: http://127.0.0.1:3000/admin');
  });

  it('when user text carries HTML and line breaks, then the HTML is escaped and the subject stays one line', () => {
    const lead = makeLead({ name: `${NASTY_NAME}\r\nBcc: x@evil.example`, message: '<script>alert("x")</script>' });
    const content = formatEmailMessage(makeMessage([{ kind: 'lead.created', eventId: 'e', lead }]));

    expect(content.subject).toBe('New HOT lead: <b>_*[ & @channel <!here> Bcc: x@evil.example');
    expect(content.html).toContain('&lt;b&gt;_*[ &amp; @channel &lt;!here&gt; Bcc: x@evil.example');
    expect(content.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(content.html).not.toContain('<script>');
    expect(content.html).not.toContain('<b>_');
  });

  it('when several notices are formatted together, then the summary names each of them', () => {
    const content = formatEmailMessage(makeMessage(manyLeadsCreated(3)));

    expect(content.subject).toBe('3 new leads: Lead 0001, Lead 0002, Lead 0003');
    expect(content.text).toContain('- [HOT] Lead 0001 (contact_form, respond by 2025-05-01 14:15 UTC)');
    expect(content.html).toContain('<li><strong>COLD</strong> <a href=');
  });

  it('when the daily digest is formatted, then its rendered parts pass through for the digest recipients', () => {
    const notice: Notice = {
      kind: 'digest',
      eventId: 'd',
      subject: 'Leadline daily digest',
      text: 'T',
      html: '<p>H</p>',
    };
    const content = formatEmailMessage(makeMessage([notice], 'd:email'));

    expect(content).toEqual({
      subject: 'Leadline daily digest',
      text: 'T',
      html: '<p>H</p>',
      messageId: '<d=3Aemail@leadline>',
      audience: 'digest',
    });
  });
});

describe('emailMessageId', () => {
  it('when keys differ only in punctuation, then their Message-IDs still differ and stay valid', () => {
    const ids = ['a:b', 'a.b', 'a-b', 'a=3Ab', 'a b', 'é<>'].map(emailMessageId);

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^<[A-Za-z0-9_=-]+@leadline>$/);
  });

  it('when the same key is formatted twice, then the Message-ID is the same', () => {
    expect(emailMessageId('evt-9:email')).toBe(emailMessageId('evt-9:email'));
  });
});
