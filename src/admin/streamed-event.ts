/**
 * What the live stream tells a browser about a new event: ids, type and time only. Contact data and event
 * payloads never leave through the stream; the panel fetches a lead through the authenticated API when it
 * needs to show one.
 */
export interface StreamedEvent {
  /** `lead_events.id` as text (a bigint); also the SSE `id:` a browser resumes from. */
  id: string;
  event_type: string;
  conversation_id: string | null;
  created_at: string;
}

/**
 * Reads a `leadline_events` NOTIFY payload, keeping only the four known fields so nothing else a future
 * trigger adds can leak to browsers. Returns undefined for anything malformed.
 */
export function parseStreamedEvent(payload: string | undefined): StreamedEvent | undefined {
  if (!payload) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, event_type, conversation_id, created_at } = value as Record<string, unknown>;
  const idText = typeof id === 'number' ? String(id) : id;
  if (typeof idText !== 'string' || !/^\d{1,19}$/.test(idText)) return undefined;
  if (typeof event_type !== 'string' || !/^[a-z_.]{1,64}$/.test(event_type)) return undefined;
  if (conversation_id !== null && (typeof conversation_id !== 'string' || !/^[0-9a-f-]{36}$/i.test(conversation_id))) return undefined;
  if (typeof created_at !== 'string') return undefined;
  return { id: idText, event_type, conversation_id, created_at };
}
