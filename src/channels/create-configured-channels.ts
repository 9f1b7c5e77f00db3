import type { Logger } from 'pino';
import type { Config } from '../config/load-config.ts';
import type { Channel, ChannelName } from './channel.ts';
import { createEmailChannel } from './email/create-email-channel.ts';
import { createLogChannel } from './log/create-log-channel.ts';
import { createSlackChannel } from './slack/create-slack-channel.ts';
import { createTelegramChannel } from './telegram/create-telegram-channel.ts';
import { createWebhookChannel } from './webhook/create-webhook-channel.ts';
import { AGENT_CHANNEL_KINDS, webhookChannelName, type AgentChannelKind } from '../shared/channel-names.ts';

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

/**
 * The channels agents' own addresses go out through, per kind: the team's channel of that kind when it is
 * configured (same client), else one built from the configuration for agents only. Email needs SMTP
 * (EMAIL_HOST), Telegram a bot (TELEGRAM_BOT_TOKEN); Slack needs nothing, as each agent brings its webhook.
 */
export function createAgentChannelBases(config: Config, logger: Logger, team: readonly Channel[]): Map<AgentChannelKind, Channel> {
  const bases = new Map<AgentChannelKind, Channel>();
  for (const kind of AGENT_CHANNEL_KINDS) {
    const configured = team.find((channel) => channel.name === kind);
    if (configured?.forAddress) bases.set(kind, configured);
  }
  if (!bases.has('email') && config.email) {
    const { host, port, secure, requireTls, user, pass, from } = config.email;
    bases.set(
      'email',
      createEmailChannel({
        host,
        port,
        secure,
        requireTls,
        ...(user ? { user } : {}),
        ...(pass ? { pass } : {}),
        from,
        to: [],
        adminBaseUrl: config.publicUrl,
      }),
    );
  }
  if (!bases.has('telegram') && config.telegram) {
    const { botToken, apiRoot, minIntervalMs } = config.telegram;
    bases.set(
      'telegram',
      createTelegramChannel({ botToken, chatId: '0', apiRoot, logger, ...(minIntervalMs === undefined ? {} : { minIntervalMs }) }),
    );
  }
  if (!bases.has('slack')) {
    // Never sent to itself (its URL is no destination); only its forAddress is used.
    bases.set(
      'slack',
      createSlackChannel({
        webhookUrl: 'https://hooks.slack.com/services/none',
        adminBaseUrl: config.publicUrl,
        ...(config.slack ? { minIntervalMs: config.slack.minIntervalMs } : {}),
      }),
    );
  }
  return bases;
}
