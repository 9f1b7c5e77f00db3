import { parseBusinessHours, type BusinessHours } from './parse-business-hours.ts';
import { addLocalDays, localDateOf, weekdayOf, zonedTimeToInstant } from './zoned-time.ts';

export type AddWorkingTime = (start: Date, ms: number) => Date;

/** Far more than any SLA needs; only reached if the configured week has no open minute at all. */
const MAX_DAYS_SCANNED = 800;

/**
 * `start` moved forward by `ms` of time inside business hours. The time counted is real elapsed time, so a
 * window that spans a daylight-saving change is an hour shorter or longer that day. A start outside the
 * hours waits for the next opening (a HOT lead at 23:00 on Friday with a 15-minute SLA is due Monday
 * 09:15); a deadline that lands exactly on a closing time stays there rather than moving to the next opening.
 */
export function addWorkingTime(hours: BusinessHours, start: Date, ms: number): Date {
  if (ms <= 0) return start;
  let remaining = ms;
  let cursor = start.getTime();
  let date = localDateOf(start, hours.timeZone);
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned += 1) {
    for (const window of hours.windowsByWeekday[weekdayOf(date)] ?? []) {
      const open = zonedTimeToInstant(date, window.openMinute, hours.timeZone).getTime();
      const close = zonedTimeToInstant(date, window.closeMinute, hours.timeZone).getTime();
      const from = Math.max(open, cursor);
      if (from >= close) continue;
      if (remaining <= close - from) return new Date(from + remaining);
      remaining -= close - from;
      cursor = close;
    }
    date = addLocalDays(date, 1);
  }
  throw new Error('business hours have no open time in the next two years');
}

/**
 * The `CaptureDeps.addWorkingTime` for this configuration: undefined (plain addition, the clock always
 * runs) when BUSINESS_HOURS is unset. Throws a ConfigError naming BUSINESS_HOURS or BUSINESS_TZ when
 * either is bad, so call it at start-up.
 */
export function createWorkingTimeAdder(settings: { businessHours: string | undefined; businessTz: string }): AddWorkingTime | undefined {
  if (settings.businessHours === undefined || settings.businessHours.trim() === '') return undefined;
  const hours = parseBusinessHours(settings.businessHours, settings.businessTz);
  return (start, ms) => addWorkingTime(hours, start, ms);
}
