import { describe, expect, it } from 'vitest';
import type { Digest } from './build-digest.ts';
import { digestDayBounds, yesterdayIn } from './digest-date.ts';
import { formatSeconds, renderDigest } from './render-digest.ts';

const empty: Digest = {
  date: '2025-03-30',
  timeZone: 'Europe/Berlin',
  from: '2025-03-29T23:00:00.000Z',
  to: '2025-03-30T22:00:00.000Z',
  leads: { total: 0, byQuality: { hot: 0, warm: 0, cold: 0 }, bySource: [] },
  response: { answered: 0, unanswered: 0, medianSeconds: null, p90Seconds: null },
  sla: { met: 0, missed: 0, pending: 0, compliancePercent: null },
  breaches: { total: 0, leads: [] },
  failedDeliveries: { total: 0, byChannel: [] },
};

describe('renderDigest', () => {
  it('when nothing happened, then it says so without made-up numbers', () => {
    const { subject, text } = renderDigest(empty);
    expect(subject).toBe('Leadline digest 2025-03-30: 0 leads, SLA n/a, 0 breaches');
    expect(text).toContain('Time to first response: median \u2014, p90 \u2014');
    expect(text).toContain('SLA compliance: n/a (0 met, 0 missed, 0 pending)');
    expect(text).not.toContain('admin panel');
  });

  it('when a breached lead has a hostile name, then the text is one line and the HTML is escaped', () => {
    const digest: Digest = {
      ...empty,
      leads: { total: 1, byQuality: { hot: 1, warm: 0, cold: 0 }, bySource: [{ source: 'api', total: 1, hot: 1, warm: 0, cold: 0 }] },
      breaches: {
        total: 12,
        leads: [
          {
            id: 'x',
            name: '<script>alert(1)</script>\nBcc: evil@example.com',
            source: 'api',
            quality: 'hot',
            deadline: '2025-03-30T08:15:00.000Z',
          },
        ],
      },
    };
    const { text, html } = renderDigest(digest, { adminUrl: 'https://leads.example.com/admin?a=1&b=2' });
    expect(text).toContain('  HOT <script>alert(1)</script> Bcc: evil@example.com (api), due 2025-03-30 08:15 UTC\n  and 11 more');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Bcc: evil@example.com');
    expect(html).toContain('href="https://leads.example.com/admin?a=1&amp;b=2"');
  });

  const durations: [number | null, string][] = [
    [null, '\u2014'],
    [0, '0s'],
    [59, '59s'],
    [61, '1m 01s'],
    [1_200, '20m 00s'],
    [5_580, '1h 33m'],
    [90_000, '1d 1h'],
  ];
  for (const [seconds, expected] of durations) {
    it(`when ${seconds} seconds are formatted, then "${expected}"`, () => expect(formatSeconds(seconds)).toBe(expected));
  }
});

describe('digest days', () => {
  it('when the clocks go forward, then the Berlin day is 23 hours long; when they go back, 25', () => {
    const spring = digestDayBounds('2025-03-30', 'Europe/Berlin');
    expect([spring.from.toISOString(), spring.to.toISOString()]).toEqual(['2025-03-29T23:00:00.000Z', '2025-03-30T22:00:00.000Z']);
    const autumn = digestDayBounds('2025-10-26', 'Europe/Berlin');
    expect(autumn.to.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
  });

  it('when it is 00:30 on 1 January in Berlin, then yesterday is 31 December there but 1 January is still ahead in New York', () => {
    const now = new Date('2024-12-31T23:30:00Z');
    expect(yesterdayIn(now, 'Europe/Berlin')).toBe('2024-12-31');
    expect(yesterdayIn(now, 'America/New_York')).toBe('2024-12-30');
  });

  it('when a date does not exist, then it is refused', () => {
    expect(() => digestDayBounds('2025-02-30', 'UTC')).toThrow(/not a calendar date/);
  });
});
