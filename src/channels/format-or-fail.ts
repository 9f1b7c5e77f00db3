import { ChannelError } from './channel.ts';

/**
 * Runs a formatter, turning its failure (an empty message, a summary over a channel's limits) into a
 * permanent ChannelError: `send` throws nothing else, and the same input would fail on every retry.
 */
export function formatOrFail<T>(format: () => T): T {
  try {
    return format();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ChannelError('permanent', `Could not format the message: ${reason}`, {
      providerCode: 'format',
      cause: error,
    });
  }
}
