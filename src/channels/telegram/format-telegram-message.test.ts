import { describe, expect, it } from 'vitest';
import { parseTelegramHtml } from '../../../test/stubs/parse-telegram-html.ts';
import { NASTY_NAME, leadCreated, makeLead, makeMessage, manyLeadsCreated } from '../../../test/stubs/notice-fixtures.ts';
import type { Notice } from '../channel.ts';
import { MAX_TELEGRAM_HTML_CHARS, formatTelegramMessage } from './format-telegram-message.ts';

function parsedText(html: string): string {
  const parsed = parseTelegramHtml(html);
  if (!parsed.ok) throw new Error(`Telegram would refuse this message: ${parsed.error}`);
  return parsed.text;
}

describe('formatTelegramMessage', () => {
  it('when one new lead is formatted, then the HTML is exact', () => {
    const html = formatTelegramMessage(makeMessage([leadCreated()]));

    expect(html).toBe(
      [
        '<b>New HOT lead:</b> Ada Lovelace',
        'Contact: ada@example.com / +442071838750',
        'Source: contact_form',
        'Quality: HOT (score 87)',
        'Respond by: 2025-05-01 14:15 UTC',
        '',
        '<blockquote>Please call me about the analytical engine.</blockquote>',
        '',
        '<a href="http://127.0.0.1:3000/admin#/leads/0196a1b2-0000-7000-8000-000000000001">Open the lead in Leadline</a>',
      ].join('\n'),
    );
  });

  it('when the name and message carry markup, quotes and ampersands, then Telegram parses it back to the same text', () => {
    const lead = makeLead({ name: NASTY_NAME, message: `a < b && c > "d" 'e' </blockquote> &amp;` });
    const html = formatTelegramMessage(makeMessage([{ kind: 'lead.created', eventId: 'e', lead }]));

    expect(html).toContain('&lt;b&gt;_*[ &amp; @channel &lt;!here&gt;');
    const text = parsedText(html);
    expect(text).toContain(`New HOT lead: ${NASTY_NAME}`);
    expect(text).toContain(`a < b && c > "d" 'e' </blockquote> &amp;`);
  });

  it.each([
    ['sla.warning', 'SLA at risk: Ada Lovelace'],
    ['sla.breached', 'SLA breached: Ada Lovelace'],
  ] as const)('when a %s notice is formatted, then it reads "%s" and parses', (kind, headline) => {
    const html = formatTelegramMessage(makeMessage([{ kind, eventId: 'e', lead: makeLead() }]));

    expect(parsedText(html).startsWith(headline)).toBe(true);
    expect(html).toContain('Received: 2025-05-01 14:00 UTC');
  });

  it('when an operator alert is formatted, then title and detail are escaped', () => {
    const notice: Notice = { kind: 'operator', eventId: 'e', title: 'Email <down>', detail: 'SMTP 550 & more' };

    expect(formatTelegramMessage(makeMessage([notice]))).toBe('<b>Leadline alert:</b> Email &lt;down&gt;\nSMTP 550 &amp; more');
  });

  it('when 12 notices are coalesced, then one message names every lead with its quality', () => {
    const notices = manyLeadsCreated(12);
    const text = parsedText(formatTelegramMessage(makeMessage(notices)));

    expect(text.split('\n')[0]).toBe('12 new leads');
    for (const [index, notice] of notices.entries()) {
      if (notice.kind !== 'lead.created') throw new Error('fixture');
      expect(text).toContain(`- ${['HOT', 'WARM', 'COLD'][index % 3]} ${notice.lead.name ?? ''} (contact_form)`);
    }
  });

  it('when 20 notices with the longest nasty names are coalesced, then all are named within 4096 characters', () => {
    const longNasty = `"${NASTY_NAME}"`.repeat(10);
    const notices: Notice[] = Array.from({ length: 20 }, (_, index) => ({
      kind: index % 2 === 0 ? 'sla.breached' : 'lead.created',
      eventId: `e${index}`,
      lead: makeLead({
        id: `id-${index}`,
        name: `N${String(index).padStart(2, '0')} ${longNasty}`,
        source: '<&>'.repeat(30),
      }),
    }));
    const html = formatTelegramMessage(makeMessage(notices));

    expect(html.length).toBeLessThanOrEqual(MAX_TELEGRAM_HTML_CHARS);
    const text = parsedText(html);
    for (let index = 0; index < 20; index += 1) expect(text).toContain(`N${String(index).padStart(2, '0')} "<b>_`);
  });

  it('when a digest is longer than Telegram allows, then it is cut at a line and says where the rest is', () => {
    const text = Array.from({ length: 400 }, (_, index) => `line ${index} <&>`).join('\n');
    const notice: Notice = { kind: 'digest', eventId: 'd', subject: 'Daily digest', text, html: '' };
    const html = formatTelegramMessage(makeMessage([notice]));

    expect(html.length).toBeLessThanOrEqual(MAX_TELEGRAM_HTML_CHARS);
    expect(parsedText(html)).toMatch(/^Daily digest\n\nline 0 <&>\n[\s\S]*\(The full digest is in the email and the admin panel\.\)$/);
  });
});
