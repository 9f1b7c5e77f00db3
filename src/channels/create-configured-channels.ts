import type { Logger } from 'pino';
import type { Config } from '../config/load-config.ts';
import type { Channel, ChannelName } from './channel.ts';
import { createEmailChannel } from './email/create-email-channel.ts';
import { createLogChannel } from './log/create-log-channel.ts';
import { createSlackChannel } from './slack/create-slack-channel.ts';
import { createTelegramChannel } from './telegram/create-telegram-channel.ts';
import { createWebhookChannel } from './webhook/create-webhook-channel.ts';
import { webhookChannelName } from '../shared/channel-names.ts';

/**
 * The channels the configuration turns on; with no alert channel, the `log` channel keeps the flow visible.
 * Every outbound webhook endpoint is a channel of its own beside them.
 */
export function createConfiguredChannels(config: Config, logger: Logger): Channel[] {
  const channels: Channel[] = [];
  if (config.slack) {
    channels.push(
      createSlackChannel({
        webhookUrl: config.slack.webhookUrl,
        minIntervalMs: config.slack.minIntervalMs,
        adminBaseUrl: config.publicUrl,
      }),
    );
  }
  if (config.email && config.email.alertTo.length > 0) {
    const { host, port, secure, requireTls, user, pass, from, alertTo, digestTo } = config.email;
    channels.push(
      createEmailChannel({
        host,
        port,
        secure,
        requireTls,
        ...(user ? { user } : {}),
        ...(pass ? { pass } : {}),
        from,
        to: alertTo,
        digestTo,
        adminBaseUrl: config.publicUrl,
      }),
    );
  }
  if (config.telegram) {
    const { botToken, chatId, apiRoot, minIntervalMs } = config.telegram;
    channels.push(createTelegramChannel({ botToken, chatId, apiRoot, logger, ...(minIntervalMs === undefined ? {} : { minIntervalMs }) }));
  }
  if (channels.length === 0) channels.push(createLogChannel(logger));
  const webhooks = config.outboundWebhooks;
  for (const endpoint of webhooks?.endpoints ?? []) {
    channels.push(
      createWebhookChannel({ name: endpoint.name, url: endpoint.url, secrets: webhooks!.secrets, allowPrivate: webhooks!.allowPrivate }),
    );
  }
  return channels;
}

/** The channel names the configuration turns on, without building clients (for scripts). */
export function configuredChannelNames(config: Config): ChannelName[] {
  const names: ChannelName[] = [];
  if (config.slack) names.push('slack');
  if (config.email && config.email.alertTo.length > 0) names.push('email');
  if (config.telegram) names.push('telegram');
  if (names.length === 0) names.push('log');
  for (const endpoint of config.outboundWebhooks?.endpoints ?? []) names.push(webhookChannelName(endpoint.name));
  return names;
}
