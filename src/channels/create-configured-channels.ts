import type { Logger } from 'pino';
import type { Config } from '../config/load-config.ts';
import type { Channel, ChannelName } from './channel.ts';
import { createEmailChannel } from './email/create-email-channel.ts';
import { createLogChannel } from './log/create-log-channel.ts';
import { createSlackChannel } from './slack/create-slack-channel.ts';
import { createTelegramChannel } from './telegram/create-telegram-channel.ts';

/** The channels the configuration turns on; with none, the `log` channel keeps the flow visible. */
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
  return channels;
}

/** The channel names the configuration turns on, without building clients (for scripts). */
export function configuredChannelNames(config: Config): ChannelName[] {
  const names: ChannelName[] = [];
  if (config.slack) names.push('slack');
  if (config.email && config.email.alertTo.length > 0) names.push('email');
  if (config.telegram) names.push('telegram');
  return names.length > 0 ? names : ['log'];
}
