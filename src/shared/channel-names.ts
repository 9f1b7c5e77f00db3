/**
 * The channels an alert can go out on. A closed vocabulary the relay (which plans deliveries per channel), the
 * delivery workers (a queue per channel) and the channels themselves share, so it lives below all of them.
 */
export const CHANNEL_NAMES = ['slack', 'email', 'telegram', 'log'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];
