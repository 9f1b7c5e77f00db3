import type { LeadQuality as Quality } from './lead-vocabulary.ts';

export interface SlaSettings {
  hotMs: number;
  warmMs: number;
  coldMs: number;
  warningMs: number;
}

export interface SlaTimes {
  deadline: Date;
  /** When the lead counts as at risk: deadline − min(SLA_WARNING, half the window). */
  warningAt: Date;
}

export function slaWindowMs(quality: Quality, sla: SlaSettings): number {
  return quality === 'hot' ? sla.hotMs : quality === 'warm' ? sla.warmMs : sla.coldMs;
}

/**
 * The response deadline of a lead captured at `startAt`. With business hours, `addWorkingTime` moves the
 * clock only inside them; without, it is plain addition.
 */
export function computeSlaDeadline(
  quality: Quality,
  startAt: Date,
  sla: SlaSettings,
  addWorkingTime: (start: Date, ms: number) => Date = (start, ms) => new Date(start.getTime() + ms),
): SlaTimes {
  const windowMs = slaWindowMs(quality, sla);
  const warningLeadMs = Math.min(sla.warningMs, windowMs / 2);
  return {
    deadline: addWorkingTime(startAt, windowMs),
    warningAt: addWorkingTime(startAt, windowMs - warningLeadMs),
  };
}
