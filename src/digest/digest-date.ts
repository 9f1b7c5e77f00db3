import { addLocalDays, formatLocalDate, localDateOf, localDayBounds, parseLocalDate } from '../time/zoned-time.ts';

/** The calendar day before `now` in `timeZone`, as `YYYY-MM-DD`: what the morning digest reports on. */
export function yesterdayIn(now: Date, timeZone: string): string {
  return formatLocalDate(addLocalDays(localDateOf(now, timeZone), -1));
}

/** The instants a `YYYY-MM-DD` day starts and ends at in `timeZone`; throws on a date that does not exist. */
export function digestDayBounds(date: string, timeZone: string): { from: Date; to: Date } {
  const day = parseLocalDate(date);
  if (!day) throw new RangeError(`"${date}" is not a calendar date (YYYY-MM-DD)`);
  return localDayBounds(day, timeZone);
}
