import type { ChannelName } from '../shared/channel-names.ts';
import { DIGEST_EVENTS, LEAD_ALERT_EVENTS, OPERATOR_ALERT_EVENTS, type EventType } from '../events/event-types.ts';

export interface OutboxEvent {
  id: string;
  eventType: EventType;
  conversationId: string | null;
  payload: Record<string, unknown>;
}

/**
 * Which channels an event goes to. Lead alerts go to every configured channel. Operator alerts go to every
 * channel except the one that just failed (an alert about a dead Slack webhook must not go to Slack). The
 * digest goes to email and Slack. With nothing configured, the `log` channel keeps the flow visible.
 */
export function planDeliveries(event: OutboxEvent, configured: readonly ChannelName[]): ChannelName[] {
  const real = configured.filter((channel) => channel !== 'log');
  const orLog = (channels: ChannelName[]): ChannelName[] => (channels.length > 0 ? channels : ['log']);

  if (LEAD_ALERT_EVENTS.has(event.eventType)) return orLog(real);
  if (OPERATOR_ALERT_EVENTS.has(event.eventType)) {
    // A failed operator alert does not raise another one: that would loop.
    if (event.payload['operator_alert'] === true) return [];
    const failed = event.payload['failed_channel'];
    return orLog(real.filter((channel) => channel !== failed));
  }
  if (DIGEST_EVENTS.has(event.eventType)) return orLog(real.filter((channel) => channel === 'email' || channel === 'slack'));
  return [];
}
