import type { TailedEvent } from '../events/tail-events.ts';

/**
 * What the live stream tells a browser about a new event: ids, type and time only. Contact data and event
 * payloads never leave through the stream; the panel fetches a lead through the authenticated API when it
 * needs to show one.
 */
export type StreamedEvent = TailedEvent;
