import type { Logger } from 'pino';
import type { Channel, OutgoingMessage, SendResult } from '../channel.ts';
import { formatOrFail } from '../format-or-fail.ts';
import { formatLogEntry } from './format-log-entry.ts';

/**
 * Lines written side by side: a line costs nothing to write and no provider is there to overload, so a batch's
 * lines go out together and are recorded together (a crash can repeat at most these, each flagged).
 */
const LINES_IN_FLIGHT = 50;

/**
 * The channel used when no provider is configured, so the whole flow is visible from the first `npm start`.
 * It cannot fail, has no provider id, and coalesces like Slack so bursts read the same way.
 */
export function createLogChannel(logger: Logger): Channel {
  return {
    name: 'log',
    destination: 'log',
    maxNoticesPerMessage: 50,
    minIntervalMs: 0,
    maxConcurrentSends: LINES_IN_FLIGHT,
    send: async (message: OutgoingMessage): Promise<SendResult> => {
      const entry = formatOrFail(() => formatLogEntry(message));
      logger.info(entry.fields, entry.text);
      return { providerMessageId: null };
    },
    check: async () => {},
  };
}
