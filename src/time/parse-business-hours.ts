import { ConfigError } from '../shared/config-error.ts';
import { isValidTimeZone } from './zoned-time.ts';

/** One opening window on one weekday, in minutes after local midnight (close may be 1440 = 24:00). */
export interface BusinessWindow {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  openMinute: number;
  closeMinute: number;
}

export interface BusinessHours {
  timeZone: string;
  /** Per weekday (index 0 = Sunday), the windows sorted by opening time, never overlapping. */
  windowsByWeekday: BusinessWindow[][];
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const EXAMPLE = 'use e.g. "Mon-Fri 09:00-18:00" or "Mon-Fri 09:00-17:30; Sat 10:00-14:00"';

/**
 * Reads `BUSINESS_HOURS` (`Mon-Fri 09:00-18:00`, groups separated by `;` or `,`, each a day or a day range
 * followed by `HH:MM-HH:MM`) in the zone `BUSINESS_TZ`. A range may wrap the week (`Sat-Mon`); a window
 * may end at `24:00` but not cross midnight (write two groups instead). Throws a ConfigError naming the
 * variable, so a typo stops start-up instead of silently counting SLA time around the clock.
 */
export function parseBusinessHours(text: string, timeZone: string): BusinessHours {
  if (!isValidTimeZone(timeZone))
    throw new ConfigError(`BUSINESS_TZ: "${timeZone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York)`);
  const windowsByWeekday: BusinessWindow[][] = WEEKDAYS.map(() => []);
  const groups = text
    .split(/[;,]/)
    .map((group) => group.trim())
    .filter((group) => group !== '');
  if (groups.length === 0) throw new ConfigError(`BUSINESS_HOURS: is empty; ${EXAMPLE}`);

  for (const group of groups) {
    const match = /^([a-z]{3})[a-z]*(?:\s*-\s*([a-z]{3})[a-z]*)?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/i.exec(group);
    if (!match) throw new ConfigError(`BUSINESS_HOURS: "${group}" is not "<days> HH:MM-HH:MM"; ${EXAMPLE}`);
    const [, firstDay = '', lastDay, openHour, openMin, closeHour, closeMin] = match;
    const first = WEEKDAYS.indexOf(firstDay.toLowerCase());
    const last = lastDay === undefined ? first : WEEKDAYS.indexOf(lastDay.toLowerCase());
    if (first < 0 || last < 0)
      throw new ConfigError(`BUSINESS_HOURS: "${group}" names an unknown weekday; use Mon Tue Wed Thu Fri Sat Sun`);
    const openMinute = toMinute(Number(openHour), Number(openMin));
    const closeMinute = toMinute(Number(closeHour), Number(closeMin));
    if (openMinute === undefined || closeMinute === undefined || openMinute >= 1440) {
      throw new ConfigError(`BUSINESS_HOURS: "${group}" has a time outside 00:00-24:00`);
    }
    if (closeMinute <= openMinute) {
      throw new ConfigError(`BUSINESS_HOURS: "${group}" closes before it opens; split a window over midnight into two groups`);
    }
    for (let day = first, steps = 0; steps < 7; day = (day + 1) % 7, steps += 1) {
      windowsByWeekday[day]?.push({ weekday: day, openMinute, closeMinute });
      if (day === last) break;
    }
  }

  for (const windows of windowsByWeekday) {
    windows.sort((a, b) => a.openMinute - b.openMinute);
    for (let i = 1; i < windows.length; i += 1) {
      const previous = windows[i - 1];
      const current = windows[i];
      if (previous && current && current.openMinute < previous.closeMinute) {
        throw new ConfigError(`BUSINESS_HOURS: two windows overlap on ${WEEKDAYS[current.weekday] ?? 'a day'}; list each time once`);
      }
    }
  }
  return { timeZone, windowsByWeekday };
}

function toMinute(hour: number, minute: number): number | undefined {
  if (minute > 59 || hour > 24 || (hour === 24 && minute !== 0)) return undefined;
  return hour * 60 + minute;
}
