import { agentChannelName, isAgentChannel, isWebhookChannel, type AgentChannelKind, type ChannelName } from '../shared/channel-names.ts';
import { DIGEST_EVENTS, LEAD_ALERT_EVENTS, OPERATOR_ALERT_EVENTS, type EventType } from '../events/event-types.ts';

export interface OutboxEvent {
  id: string;
  eventType: EventType;
  conversationId: string | null;
  payload: Record<string, unknown>;
  /**
   * The team members this event also goes to, with the kinds of address each has (claimOutboxBatch): a new
   * lead's and a warning's assignee; for a breach the assignee and every active manager.
   */
  recipients?: readonly { agentId: string; kinds: readonly AgentChannelKind[] }[];
}

/** What decides where events go: the configured channels and what outbound webhooks subscribe to. */
export interface DeliveryRouting {
  /** Alert channels and webhook endpoints (`webhook:<name>`) alike. */
  channels: readonly ChannelName[];
  /** The event types every webhook endpoint receives (OUTBOUND_WEBHOOK_EVENTS). */
  webhookEvents: ReadonlySet<EventType>;
  /** The kinds of agent address this installation can send to (email needs SMTP, telegram a bot token). */
  agentKinds?: ReadonlySet<AgentChannelKind>;
}

/**
 * Which channels an event goes to. Lead alerts go to every configured alert channel. Operator alerts go to
 * every alert channel except the one that just failed (an alert about a dead Slack webhook must not go to
 * Slack). The digest goes to email and Slack. With no alert channel configured, the `log` channel keeps the
 * flow visible. A lead alert also goes to the addresses of the team members it concerns (`recipients`), one
 * channel per agent and kind (`agent:<id>:email`). Webhook endpoints get the lead events they subscribe to, one delivery per (event, endpoint),
 * and never an operator alert or a digest: those are for people.
 */
export function planDeliveries(event: OutboxEvent, routing: DeliveryRouting): ChannelName[] {
  const webhooks = routing.channels.filter(isWebhookChannel);
  const real = routing.channels.filter((channel) => channel !== 'log' && !isWebhookChannel(channel) && !isAgentChannel(channel));
  const orLog = (channels: ChannelName[]): ChannelName[] => (channels.length > 0 ? channels : ['log']);
  const forWebhooks = event.conversationId !== null && routing.webhookEvents.has(event.eventType) ? webhooks : [];

  if (LEAD_ALERT_EVENTS.has(event.eventType)) return [...orLog(real), ...forAgents(event, routing), ...forWebhooks];
  if (OPERATOR_ALERT_EVENTS.has(event.eventType)) {
    // A failed operator alert does not raise another one: that would loop.
    if (event.payload['operator_alert'] === true) return [];
    const failed = event.payload['failed_channel'];
    return orLog(real.filter((channel) => channel !== failed));
  }
  if (DIGEST_EVENTS.has(event.eventType)) return orLog(real.filter((channel) => channel === 'email' || channel === 'slack'));
  return forWebhooks;
}

/** One channel per (recipient, kind of address it has and this installation can send), each once. */
function forAgents(event: OutboxEvent, routing: DeliveryRouting): ChannelName[] {
  const kinds = routing.agentKinds ?? new Set();
  const channels = new Set<ChannelName>();
  for (const recipient of event.recipients ?? [])
    for (const kind of recipient.kinds) if (kinds.has(kind)) channels.add(agentChannelName(recipient.agentId, kind));
  return [...channels];
}
