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
export type ChannelName = AlertChannelName | WebhookChannelName;

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
  return isWebhookChannel(text) ? text : undefined;
}

/** How a sentence names the channel: `Slack`, `Email`, `Webhook crm`. */
export function channelLabel(name: string): string {
  if (name.startsWith(WEBHOOK_PREFIX)) return `Webhook ${name.slice(WEBHOOK_PREFIX.length)}`;
  return name.charAt(0).toUpperCase() + name.slice(1);
}
