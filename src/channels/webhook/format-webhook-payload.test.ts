import { describe, expect, it } from 'vitest';
import { leadEvent } from '../../../test/stubs/notice-fixtures.ts';
import { formatWebhookPayload, webhookPayloadSchema } from './format-webhook-payload.ts';

describe('formatWebhookPayload', () => {
  it('when a lead event is formatted, then the body is {type, timestamp, data} with the event facts and the whole lead', () => {
    const payload = formatWebhookPayload(leadEvent());

    expect(payload).toEqual({
      type: 'lead.created',
      timestamp: '2025-05-01T14:00:01.000Z',
      data: {
        event: { id: '4711', source: 'contact_form', quality: 'hot', score: 87, sla_deadline: '2025-05-01T14:15:00.000Z' },
        lead: {
          id: '0196a1b2-0000-7000-8000-000000000001',
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          phone: '+442071838750',
          source: 'contact_form',
          external_id: null,
          subject: 'Analytical engine',
          message: 'Please call me about the analytical engine.',
          service_type: null,
          urgency: 'high',
          property_id: null,
          property_title: null,
          custom_fields: { budget: '5k' },
          quality: 'hot',
          score: 87,
          status: 'new',
          metadata: { utm_source: 'newsletter' },
          consent: { marketing: true },
          created_at: '2025-05-01T14:00:00.000Z',
          updated_at: '2025-05-01T14:00:00.000Z',
          sla_deadline: '2025-05-01T14:15:00.000Z',
          first_response_at: null,
          sla_breached: false,
          assigned_to: null,
          admin_url: 'http://127.0.0.1:3000/admin#/leads/0196a1b2-0000-7000-8000-000000000001',
        },
        assignee: null,
      },
    });
    expect(webhookPayloadSchema.parse(payload)).toEqual(payload);
  });

  it('when a status change is formatted, then data.event says from and to, and the lead is as it is now', () => {
    const payload = formatWebhookPayload(
      leadEvent(
        { lead: { status: 'qualified', assignedTo: 'agent-7', firstResponseAt: new Date('2025-05-01T14:05:00Z') }, eventId: '4800' },
        { eventType: 'lead.status_changed', facts: { from: 'new', to: 'qualified' } },
      ),
    );

    expect(payload.type).toBe('lead.status_changed');
    expect(payload.data.event).toEqual({ id: '4800', from: 'new', to: 'qualified' });
    expect(payload.data.lead).toMatchObject({ status: 'qualified', assigned_to: 'agent-7', first_response_at: '2025-05-01T14:05:00.000Z' });
  });
});
