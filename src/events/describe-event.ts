import { channelLabel } from '../shared/channel-names.ts';
import type { EventType, LeadEvent } from './event-types.ts';

/** Who a timeline row says did it. */
export type TimelineActor = { type: 'system' | 'agent' | 'customer' | 'bot'; id?: string | null };

/** What the lead's timeline shows for one event: a title, a line of description, who did it. */
export interface TimelineText {
  title: string;
  description: string | null;
  actor: TimelineActor;
  metadata?: Record<string, unknown>;
}

/** Timeline rows that are not events: a failed attempt that will be retried is history, not a fact to relay. */
export const TIMELINE_ONLY_TYPES = ['notification.retrying'] as const;
export type TimelineEntryType = EventType | (typeof TIMELINE_ONLY_TYPES)[number];

/** Things a timeline line may say that are not in the event (the payload holds no free text). */
export interface DescribeContext {
  /** Why a lead scored as it did, or a responder's note: shown on the lead's own timeline only. */
  detail?: string | null;
  actor?: TimelineActor;
}

const SOURCE_LABELS: Record<string, string> = {
  chatbot: 'website chatbot',
  'contact-form': 'contact form',
  'property-inquiry': 'property inquiry',
  api: 'API',
  meta: 'Meta Lead Ads',
};

const utc = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;

/**
 * The one formatter of timeline texts: every event that belongs on a lead's timeline gets its title and
 * description here, so the panel, exports and tests read the same words. Returns null for events that have
 * no place on a lead's timeline (they concern no lead, or only the system).
 */
export function describeEvent(event: LeadEvent, context: DescribeContext = {}): TimelineText | null {
  if (event.conversationId === null) return null;
  const system: TimelineActor = { type: 'system' };
  switch (event.type) {
    case 'lead.created': {
      const { payload } = event;
      return {
        title: `Lead captured from ${SOURCE_LABELS[payload.source] ?? payload.source}`,
        description: `${payload.quality.toUpperCase()} lead (score ${payload.score})${context.detail ? `: ${context.detail}` : ''}. Respond by ${payload.sla_deadline}.`,
        actor: context.actor ?? { type: 'customer' },
      };
    }
    case 'lead.assigned':
      return {
        title: event.payload.agent_id === null ? 'Lead unassigned' : 'Lead assigned',
        description: context.detail ?? null,
        actor: context.actor ?? (event.payload.via === 'round_robin' ? system : { type: 'agent' }),
        metadata: { agent_id: event.payload.agent_id, via: event.payload.via },
      };
    case 'lead.responded':
      return {
        title: event.payload.within_sla ? 'Lead answered within the SLA' : 'Lead answered after the SLA deadline',
        description: context.detail ?? null,
        actor: context.actor ?? { type: 'agent' },
      };
    case 'lead.status_changed':
      return {
        title: `Status changed to ${event.payload.to}`,
        description: `From ${event.payload.from} to ${event.payload.to}.`,
        actor: context.actor ?? { type: 'agent' },
      };
    case 'lead.erased':
      // The tombstone's own history line: who erased it and when, nothing about the person.
      return {
        title: 'Personal data erased',
        description: 'Name, contact details, messages and payloads were removed; this anonymous record keeps the statistics.',
        actor: context.actor ?? system,
        metadata: { via: event.payload.via },
      };
    case 'notification.sent': {
      const { payload } = event;
      const parts = [`Attempt ${payload.attempt}`];
      if (payload.coalesced_count > 1) parts.push(`in a summary of ${payload.coalesced_count} alerts`);
      const description = `${parts.join(', ')}${payload.possible_duplicate ? '; may repeat an earlier message (a process died mid-send)' : ''}`;
      return { title: `${channelLabel(payload.channel)} notified (${payload.event_type})`, description, actor: system, metadata: payload };
    }
    case 'notification.failed':
      return {
        title: `${channelLabel(event.payload.failed_channel)} delivery failed permanently`,
        description: context.detail ?? null,
        actor: system,
        metadata: { channel: event.payload.failed_channel, notification_log_id: event.payload.notification_log_id },
      };
    case 'sla.warning':
      return { title: 'SLA at risk', description: `No response yet; the deadline is ${utc(event.payload.sla_deadline)}.`, actor: system };
    case 'sla.breached':
      return {
        title: 'SLA breached',
        description: `The deadline ${utc(event.payload.sla_deadline)} passed with no response; the follow-up task is overdue.`,
        actor: system,
      };
    case 'sla.escalated':
      return {
        title: 'SLA breach escalated',
        description: `The managers (${event.payload.managers}) were alerted.`,
        actor: system,
      };
    case 'task.created':
      return event.payload.status === 'overdue'
        ? {
            title: 'Follow-up task created (overdue)',
            description: 'Respond as soon as possible: the SLA deadline has passed.',
            actor: system,
          }
        : { title: 'Follow-up task created', description: 'Respond before the SLA deadline.', actor: system };
    case 'task.completed':
      return {
        title: 'Follow-up task completed',
        description: event.payload.via === 'lead.responded' ? 'Completed by the first response.' : null,
        actor: context.actor ?? { type: 'agent' },
      };
    case 'digest.sent':
    case 'ingestion.failed':
      return null;
  }
}

/** The timeline line for a failed attempt that will be retried. */
export function describeRetry(channel: string, attempt: number, errorMessage: string, nextAttemptAt: Date): TimelineText {
  return {
    title: `${channelLabel(channel)} delivery failed, will retry`,
    description: `Attempt ${attempt}: ${errorMessage}. Next attempt at ${nextAttemptAt.toISOString().slice(11, 19)} UTC`,
    actor: { type: 'system' },
    metadata: { channel },
  };
}
