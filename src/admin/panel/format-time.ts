import { h } from './dom.ts';

/** "under 1 min", "12 min", "3 h 5 min", "4 d": the sign is the caller's to say. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

export function relativeTime(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const ago = now - at;
  if (ago < 45_000 && ago > -45_000) return 'just now';
  return ago >= 0 ? `${formatDuration(ago)} ago` : `in ${formatDuration(ago)}`;
}

/** A server-given deadline against the browser's clock: "5 min left" or "12 min overdue". */
export function countdown(deadlineIso: string, now = Date.now()): string {
  const left = Date.parse(deadlineIso) - now;
  return left < 0 ? `${formatDuration(left)} overdue` : `${formatDuration(left)} left`;
}

export function absoluteTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '' : at.toLocaleString();
}

export function timeElement(iso: string | null | undefined): HTMLElement {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { class: 'time', datetime: iso, title: absoluteTime(iso) }, relativeTime(iso));
}
