import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/config-error.ts';
import { createWorkingTimeAdder } from './add-working-time.ts';
import { parseBusinessHours } from './parse-business-hours.ts';

const openDays = (text: string) =>
  parseBusinessHours(text, 'UTC').windowsByWeekday.map((windows) => windows.map((w) => `${w.openMinute}-${w.closeMinute}`).join(' '));

describe('parseBusinessHours', () => {
  it('when given "Mon-Fri 09:00-18:00", then Monday to Friday open 540-1080 and the weekend is closed', () => {
    expect(openDays('Mon-Fri 09:00-18:00')).toEqual(['', '540-1080', '540-1080', '540-1080', '540-1080', '540-1080', '']);
  });

  it('when given several groups, a single day, full day names and 24:00, then each lands on its weekday', () => {
    expect(openDays('Monday-Thursday 08:30-17:00; Fri 08:30-12:00, Sat 10:00-24:00')).toEqual([
      '',
      '510-1020',
      '510-1020',
      '510-1020',
      '510-1020',
      '510-720',
      '600-1440',
    ]);
  });

  it('when a range wraps the week, then it runs through Sunday', () => {
    expect(openDays('Sat-Mon 10:00-14:00')).toEqual(['600-840', '600-840', '', '', '', '', '600-840']);
  });

  const bad: [string, string, RegExp][] = [
    ['9-5', 'UTC', /^BUSINESS_HOURS: /],
    ['Mon-Fri 18:00-09:00', 'UTC', /^BUSINESS_HOURS: .*closes before it opens/],
    ['Mon-Fri 09:00-25:00', 'UTC', /^BUSINESS_HOURS: .*outside/],
    ['Mon-Fry 09:00-18:00', 'UTC', /^BUSINESS_HOURS: .*unknown weekday/],
    ['Mon-Fri 09:00-12:00; Mon 11:00-13:00', 'UTC', /^BUSINESS_HOURS: .*overlap/],
    ['  ', 'UTC', /^BUSINESS_HOURS: is empty/],
    ['Mon-Fri 09:00-18:00', 'Mars/Olympus', /^BUSINESS_TZ: /],
  ];
  for (const [text, tz, message] of bad) {
    it(`when given "${text}" in ${tz}, then start-up fails with one line naming the variable`, () => {
      let error: unknown;
      try {
        parseBusinessHours(text, tz);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }

  it('when the factory gets a bad value, then it throws at start-up rather than at the first lead', () => {
    expect(() => createWorkingTimeAdder({ businessHours: 'weekdays', businessTz: 'UTC' })).toThrow(/^BUSINESS_HOURS: /);
  });
});
