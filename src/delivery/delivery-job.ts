import { createHash } from 'node:crypto';
import { agentChannelParts, isAgentChannel, type ChannelName } from '../shared/channel-names.ts';

/** One pg-boss job = one (event, channel) delivery. The queue name carries the channel. */
export interface DeliveryJobData {
  /** lead_events.id as text (bigint). */
  eventId: string;
  /** Attempts already spent on transient errors; rate-limit waits do not count. */
  tries: number;
  /** 0 normally; a forced replay delivers an already-sent pair again as the next round. */
  round?: number;
  /** For an agent's address (`agent:<id>:<kind>`): the agent. Its kind is the queue's. */
  agentId?: string;
  /** The job's pg-boss priority (deliveryPriority), kept so a requeued job keeps its place. */
  priority?: number;
}

/**
 * Hot leads first: pg-boss fetches by priority, then age, so when deliveries queue up (a pause, a slow
 * provider) a hot lead's alert is fetched before the cold ones queued ahead of it. Cold ones are not starved:
 * a fetch takes a whole batch (up to 50 notices for Slack and email, folded into summaries), so they move
 * as long as fewer hot alerts than a batch arrive per send.
 */
export function deliveryPriority(eventType: string, payload: Record<string, unknown>): number {
  if (eventType === 'notification.failed' || eventType === 'ingestion.failed') return 1;
  const quality = payload['quality'];
  if (quality === 'hot') return 2;
  if (quality === 'warm') return 1;
  return 0;
}

/** A job's data for a delivery on `channel`: an agent channel's job names the agent. */
export function deliveryJobData(
  channel: ChannelName,
  fields: { eventId: string; tries: number; round?: number; priority?: number | undefined },
): DeliveryJobData {
  const { priority, ...rest } = fields;
  const data: DeliveryJobData = priority === undefined || priority === 0 ? rest : { ...rest, priority };
  return isAgentChannel(channel) ? { ...data, agentId: agentChannelParts(channel).agentId } : data;
}

/** `deliver-slack`, `deliver-webhook.crm`: pg-boss queue names allow no `:`, and endpoint names hold no `.`. */
export function deliveryQueueName(channel: ChannelName): string {
  if (isAgentChannel(channel)) return agentDeliveryQueueName(agentChannelParts(channel).kind);
  return `deliver-${channel.replace(':', '.')}`;
}

/** `deliver-agent.email`: the one queue of every agent's address of a kind. */
export function agentDeliveryQueueName(kind: 'email' | 'telegram' | 'slack'): string {
  return `deliver-agent.${kind}`;
}

/**
 * A job id derived from (event, channel): if the relay ever enqueued the same delivery twice, pg-boss's
 * `ON CONFLICT DO NOTHING` keeps one. Formatted as a UUID (version nibble 5, RFC 4122 variant).
 */
export function deliveryJobId(eventId: string, channel: ChannelName): string {
  const hex = createHash('sha1').update(`leadline:${eventId}:${channel}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
