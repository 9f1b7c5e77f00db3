/**
 * Wall-clock arithmetic in an IANA time zone with nothing but `Intl`: the offset of a zone at an instant,
 * the local date and time of an instant, and the instant of a local date and time. Daylight-saving
 * changes are handled by asking `Intl` for the real offset on each side instead of assuming one.
 */

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface ZonedParts extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday, as `Date.getUTCDay`. */
  weekday: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const values: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  const year = values['year'] ?? 1970;
  const month = values['month'] ?? 1;
  const day = values['day'] ?? 1;
  return {
    year,
    month,
    day,
    hour: values['hour'] ?? 0,
    minute: values['minute'] ?? 0,
    second: values['second'] ?? 0,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** Local time minus UTC at `instant`, in ms (Berlin in winter: +3,600,000). Sub-second parts are dropped. */
export function timeZoneOffsetMs(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` + `minuteOfDay` (1440 = the next midnight).
 * A time repeated by a fall-back change resolves to its first occurrence; a time skipped by a spring-forward
 * change resolves to the same distance after the gap (02:30 on a 02:00→03:00 night is 03:30), as
 * Temporal's `compatible` disambiguation does.
 */
export function zonedTimeToInstant(date: LocalDate, minuteOfDay: number, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  // Zones change offset at most once within a day or so, so the offsets a day either side are the only
  // two candidates.
  const before = timeZoneOffsetMs(new Date(wall - DAY_MS), timeZone);
  const after = timeZoneOffsetMs(new Date(wall + DAY_MS), timeZone);
  const candidates = [wall - before, wall - after].filter((t, i) => timeZoneOffsetMs(new Date(t), timeZone) === (i === 0 ? before : after));
  if (candidates.length === 0) return new Date(wall - before);
  return new Date(Math.min(...candidates));
}

export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const { year, month, day } = zonedParts(instant, timeZone);
  return { year, month, day };
}

export function addLocalDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` → LocalDate, or undefined when it is not a real calendar date. */
export function parseLocalDate(text: string): LocalDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return formatLocalDate(addLocalDays(date, 0)) === text ? date : undefined;
}

/** The instants a local calendar day starts and ends at (23 or 25 hours apart on a DST change). */
export function localDayBounds(date: LocalDate, timeZone: string): { from: Date; to: Date } {
  return { from: zonedTimeToInstant(date, 0, timeZone), to: zonedTimeToInstant(addLocalDays(date, 1), 0, timeZone) };
}
