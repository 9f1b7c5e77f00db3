/**
 * The channels a delivery can go out on. A vocabulary the relay (which plans deliveries per channel), the
 * delivery workers (a queue per channel) and the channels themselves share, so it lives below all of them.
 *
 * The alert channels are a closed list. Outbound webhooks add one channel per configured endpoint, named
 * `webhook:<endpoint>` (OUTBOUND_WEBHOOKS), so the set of names is open but every name has one of two shapes.
 */
export const CHANNEL_NAMES = ['slack', 'email', 'telegram', 'log'] as const;
export type AlertChannelName = (typeof CHANNEL_NAMES)[number];

export type WebhookChannelName = `webhook:${string}`;

/**
 * An agent's own address is a channel of its own, `agent:<agent id>:<kind>`: a delivery to it is recorded
 * once per (event, agent, kind) like any channel. One queue per kind carries them all (the job names the agent).
 */
export const AGENT_CHANNEL_KINDS = ['email', 'telegram', 'slack'] as const;
export type AgentChannelKind = (typeof AGENT_CHANNEL_KINDS)[number];
export type AgentChannelName = `agent:${string}:${AgentChannelKind}`;

export type ChannelName = AlertChannelName | WebhookChannelName | AgentChannelName;

const AGENT_CHANNEL = /^agent:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(email|telegram|slack)$/;

export function agentChannelName(agentId: string, kind: AgentChannelKind): AgentChannelName {
  const name = `agent:${agentId.toLowerCase()}:${kind}` as const;
  if (!AGENT_CHANNEL.test(name)) throw new RangeError(`"${agentId}" is not an agent id`);
  return name;
}

export function isAgentChannel(name: string): name is AgentChannelName {
  return AGENT_CHANNEL.test(name);
}

/** `agent:<id>:email` → its agent and kind. */
export function agentChannelParts(name: AgentChannelName): { agentId: string; kind: AgentChannelKind } {
  const match = AGENT_CHANNEL.exec(name)!;
  return { agentId: match[1]!, kind: match[2] as AgentChannelKind };
}

/** The label metrics use: one per kind for agents (`agent-email`), so the team's size does not grow the series. */
export function metricChannelOf(name: string): string {
  return isAgentChannel(name) ? `agent-${agentChannelParts(name).kind}` : name;
}

/** An endpoint name in OUTBOUND_WEBHOOKS: short, lower-case, safe in URLs, queue names and SQL checks. */
export const WEBHOOK_ENDPOINT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const WEBHOOK_PREFIX = 'webhook:';

export function webhookChannelName(endpoint: string): WebhookChannelName {
  if (!WEBHOOK_ENDPOINT_NAME.test(endpoint)) throw new RangeError(`"${endpoint}" is not a webhook endpoint name`);
  return `${WEBHOOK_PREFIX}${endpoint}`;
}

export function isWebhookChannel(name: string): name is WebhookChannelName {
  return name.startsWith(WEBHOOK_PREFIX) && WEBHOOK_ENDPOINT_NAME.test(name.slice(WEBHOOK_PREFIX.length));
}

/** `webhook:crm` → `crm`. */
export function webhookEndpointOf(name: WebhookChannelName): string {
  return name.slice(WEBHOOK_PREFIX.length);
}

/** The channel a text names (a CLI flag, a database row), or undefined when it names none. */
export function parseChannelName(text: string): ChannelName | undefined {
  if ((CHANNEL_NAMES as readonly string[]).includes(text)) return text as AlertChannelName;
  if (isAgentChannel(text)) return text;
  return isWebhookChannel(text) ? text : undefined;
}

/** How a sentence names the channel: `Slack`, `Email`, `Webhook crm`. */
export function channelLabel(name: string): string {
  if (name.startsWith(WEBHOOK_PREFIX)) return `Webhook ${name.slice(WEBHOOK_PREFIX.length)}`;
  if (isAgentChannel(name)) {
    const { agentId, kind } = agentChannelParts(name);
    return `Agent ${agentId.slice(-6)} ${kind}`;
  }
  return name.charAt(0).toUpperCase() + name.slice(1);
}
