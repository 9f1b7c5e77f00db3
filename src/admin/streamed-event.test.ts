import { describe, expect, it } from 'vitest';
import { parseStreamedEvent } from './streamed-event.ts';

describe('parseStreamedEvent', () => {
  it('when the trigger payload carries extra fields, then only id, type, lead id and time are kept', () => {
    const payload = JSON.stringify({
      id: '42',
      event_type: 'lead.created',
      conversation_id: '8f6f1f7e-5b7a-4c1e-9a55-3c1f7a0d2b11',
      created_at: '2025-03-04T05:06:07.123456+00:00',
      email: 'someone@example.com',
    });
    expect(parseStreamedEvent(payload)).toEqual({
      id: '42',
      event_type: 'lead.created',
      conversation_id: '8f6f1f7e-5b7a-4c1e-9a55-3c1f7a0d2b11',
      created_at: '2025-03-04T05:06:07.123456+00:00',
    });
  });

  it('when an event has no lead (a digest), then conversation_id is null', () => {
    expect(parseStreamedEvent('{"id":7,"event_type":"digest.sent","conversation_id":null,"created_at":"x"}')).toMatchObject({
      id: '7',
      conversation_id: null,
    });
  });

  it.each([
    undefined,
    '',
    'not json',
    '[]',
    '{"id":"1; DROP"}',
    '{"id":"1","event_type":"<script>","conversation_id":null,"created_at":"x"}',
  ])('when the payload is %s, then it is ignored', (payload) => {
    expect(parseStreamedEvent(payload)).toBeUndefined();
  });
});
