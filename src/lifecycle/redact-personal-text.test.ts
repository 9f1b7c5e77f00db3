import { describe, expect, it } from 'vitest';
import { containsNeedle, likePatterns, personalNeedles, redactJson, redactText } from './redact-personal-text.ts';

describe('personal text redaction', () => {
  const needles = personalNeedles({ name: "Ada O'Hara", email: 'ada@example.com', phone: '+14155550123' });

  it('when a person is named, then the needles are the name (also HTML-escaped), the email and the phone, longest first', () => {
    expect(needles).toEqual(['ada@example.com', 'Ada O&#39;Hara', '+14155550123', "Ada O'Hara"]);
  });

  it('when a value is shorter than three characters or missing, then it is not searched for', () => {
    expect(personalNeedles({ name: 'Al', email: null, phone: '+4930123456' })).toEqual(['+4930123456']);
  });

  it('when a long name spans lines, then its printed form (one line, cut with an ellipsis) is searched for too', () => {
    const name = `${'Very '.repeat(20)}Long\nName`;
    const printed = personalNeedles({ name, email: null, phone: null });
    expect(printed.some((needle) => needle.endsWith('\u2026') && needle.length === 80)).toBe(true);
  });

  it('when a text holds the values in any case, then each becomes [erased] and the rest stays', () => {
    const text = "Breached: ADA O'HARA (ada@EXAMPLE.com, +14155550123); <b>Ada O&#39;Hara</b>";
    expect(containsNeedle(text, needles)).toBe(true);
    expect(redactText(text, needles)).toBe('Breached: [erased] ([erased], [erased]); <b>[erased]</b>');
  });

  it('when JSON holds the values in strings or keys, then those are redacted and numbers stay', () => {
    expect(redactJson({ to: 'ada@example.com', n: 3, list: ['x', 'Call +14155550123'], "Ada O'Hara": true }, needles)).toEqual({
      to: '[erased]',
      n: 3,
      list: ['x', 'Call [erased]'],
      '[erased]': true,
    });
  });

  it('when needles hold LIKE wildcards, then the patterns match them literally', () => {
    expect(likePatterns(['50%_off\\'])).toEqual(['%50\\%\\_off\\\\%']);
  });
});
