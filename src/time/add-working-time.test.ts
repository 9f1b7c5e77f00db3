import { describe, expect, it } from 'vitest';
import { addWorkingTime, createWorkingTimeAdder } from './add-working-time.ts';
import { computeSlaDeadline } from '../leads/compute-sla-deadline.ts';
import { parseBusinessHours } from './parse-business-hours.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const sla = { hotMs: 15 * MIN, warmMs: HOUR, coldMs: 24 * HOUR, warningMs: 30 * MIN };
const at = (iso: string) => new Date(iso);

describe('addWorkingTime', () => {
  const utcWeek = parseBusinessHours('Mon-Fri 09:00-18:00', 'UTC');
  const berlin = parseBusinessHours('Mon-Fri 09:00-18:00', 'Europe/Berlin');
  const newYork = parseBusinessHours('Mon-Fri 09:00-17:00', 'America/New_York');

  const cases: { name: string; hours: typeof utcWeek; start: string; ms: number; expected: string }[] = [
    {
      name: 'inside the hours, the clock runs normally',
      hours: utcWeek,
      start: '2025-06-03T10:00:00Z',
      ms: 15 * MIN,
      expected: '2025-06-03T10:15:00.000Z',
    },
    {
      name: 'a HOT lead at 23:00 on Friday is due Monday 09:15',
      hours: utcWeek,
      start: '2025-06-06T23:00:00Z',
      ms: 15 * MIN,
      expected: '2025-06-09T09:15:00.000Z',
    },
    {
      name: 'a lead at night waits for the morning',
      hours: utcWeek,
      start: '2025-06-03T02:30:00Z',
      ms: HOUR,
      expected: '2025-06-03T10:00:00.000Z',
    },
    {
      name: 'a lead on Saturday waits for Monday',
      hours: utcWeek,
      start: '2025-06-07T12:00:00Z',
      ms: 15 * MIN,
      expected: '2025-06-09T09:15:00.000Z',
    },
    {
      name: 'a window split over the evening carries into the next morning',
      hours: utcWeek,
      start: '2025-06-03T17:50:00Z',
      ms: 15 * MIN,
      expected: '2025-06-04T09:05:00.000Z',
    },
    {
      name: 'a deadline exactly at closing time stays at closing time',
      hours: utcWeek,
      start: '2025-06-03T17:00:00Z',
      ms: HOUR,
      expected: '2025-06-03T18:00:00.000Z',
    },
    {
      name: 'a COLD 24 h window spans almost three working days',
      hours: utcWeek,
      start: '2025-06-03T09:00:00Z',
      ms: 24 * HOUR,
      expected: '2025-06-05T15:00:00.000Z',
    },
    {
      name: 'Berlin in winter opens at 08:00 UTC',
      hours: berlin,
      start: '2025-01-10T22:00:00Z',
      ms: 15 * MIN,
      expected: '2025-01-13T08:15:00.000Z',
    },
    {
      name: 'Berlin in summer opens at 07:00 UTC',
      hours: berlin,
      start: '2025-06-06T21:00:00Z',
      ms: 15 * MIN,
      expected: '2025-06-09T07:15:00.000Z',
    },
    {
      name: 'over the March DST weekend (Berlin), Friday is CET and Monday is CEST',
      hours: berlin,
      start: '2025-03-28T16:30:00Z', // Friday 17:30 CET: 30 minutes left that day
      ms: HOUR,
      expected: '2025-03-31T07:30:00.000Z', // Monday 09:30 CEST
    },
    {
      name: 'over the October DST weekend (Berlin), Friday is CEST and Monday is CET',
      hours: berlin,
      start: '2025-10-24T15:30:00Z', // Friday 17:30 CEST
      ms: HOUR,
      expected: '2025-10-27T08:30:00.000Z', // Monday 09:30 CET
    },
    {
      name: 'New York changes on a different Sunday than Europe',
      hours: newYork,
      start: '2025-03-07T21:30:00Z', // Friday 16:30 EST
      ms: HOUR,
      expected: '2025-03-10T13:30:00.000Z', // Monday 09:30 EDT
    },
  ];

  for (const { name, hours, start, ms, expected } of cases) {
    it(`when ${name}, then the deadline is ${expected}`, () => {
      expect(addWorkingTime(hours, at(start), ms).toISOString()).toBe(expected);
    });
  }

  it('when a window spans the spring-forward night, then it holds one real hour less', () => {
    const sundayNight = parseBusinessHours('Sun 01:00-05:00', 'Europe/Berlin');
    // 01:00 CET = 00:00Z; 05:00 CEST = 03:00Z: three real hours, not four.
    expect(addWorkingTime(sundayNight, at('2025-03-30T00:00:00Z'), 3 * HOUR).toISOString()).toBe('2025-03-30T03:00:00.000Z');
    expect(addWorkingTime(sundayNight, at('2025-03-30T00:00:00Z'), 3 * HOUR + MIN).toISOString()).toBe('2025-04-05T23:01:00.000Z'); // next Sunday 01:01 CEST;
  });

  it('when a window spans the fall-back night, then it holds one real hour more', () => {
    const sundayNight = parseBusinessHours('Sun 01:00-05:00', 'Europe/Berlin');
    // 01:00 CEST = 23:00Z Saturday; 05:00 CET = 04:00Z: five real hours.
    expect(addWorkingTime(sundayNight, at('2025-10-25T23:00:00Z'), 5 * HOUR).toISOString()).toBe('2025-10-26T04:00:00.000Z');
  });

  it('when SLA deadlines are computed with business hours, then the warning is also counted in working time', () => {
    const adder = createWorkingTimeAdder({ businessHours: 'Mon-Fri 09:00-18:00', businessTz: 'UTC' });
    const times = computeSlaDeadline('hot', at('2025-06-06T23:00:00Z'), sla, adder);
    expect(times.deadline.toISOString()).toBe('2025-06-09T09:15:00.000Z');
    // At risk = deadline − min(30 min, half of 15 min) = 7.5 working minutes in.
    expect(times.warningAt.toISOString()).toBe('2025-06-09T09:07:30.000Z');
  });

  it('when BUSINESS_HOURS is unset, then there is no adder and the clock always runs', () => {
    expect(createWorkingTimeAdder({ businessHours: undefined, businessTz: 'UTC' })).toBeUndefined();
    expect(computeSlaDeadline('hot', at('2025-06-06T23:00:00Z'), sla).deadline.toISOString()).toBe('2025-06-06T23:15:00.000Z');
  });
});
