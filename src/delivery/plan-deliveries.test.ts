import { describe, expect, it } from 'vitest';
import type { EventType } from '../events/event-types.ts';
import { planDeliveries, type DeliveryRouting } from './plan-deliveries.ts';

const event = (eventType: EventType, payload: Record<string, unknown> = {}, conversationId: string | null = 'lead-1') => ({
  id: '1',
  eventType,
  conversationId,
  payload,
});

const routing = (
  channels: DeliveryRouting['channels'],
  webhookEvents: EventType[] = ['lead.created', 'lead.status_changed', 'sla.breached'],
) => ({
  channels,
  webhookEvents: new Set(webhookEvents),
});

describe('planDeliveries', () => {
  it('when a lead is created, then every alert channel and every webhook endpoint gets one delivery', () => {
    expect(planDeliveries(event('lead.created'), routing(['slack', 'email', 'webhook:crm', 'webhook:zap']))).toEqual([
      'slack',
      'email',
      'webhook:crm',
      'webhook:zap',
    ]);
  });

  it('when only webhooks are configured, then lead alerts still show on the log channel', () => {
    expect(planDeliveries(event('lead.created'), routing(['log', 'webhook:crm']))).toEqual(['log', 'webhook:crm']);
  });

  it('when a lead event that alerts nobody happens, then only the webhooks that subscribe to it get it', () => {
    expect(planDeliveries(event('lead.status_changed', { from: 'new', to: 'qualified' }), routing(['slack', 'webhook:crm']))).toEqual([
      'webhook:crm',
    ]);
    expect(planDeliveries(event('lead.responded'), routing(['slack', 'webhook:crm']))).toEqual([]);
    expect(planDeliveries(event('sla.warning'), routing(['slack', 'webhook:crm']))).toEqual(['slack']);
  });

  it('when an operator alert or a digest is raised, then it never goes to a webhook, not even after a webhook failed', () => {
    const failed = event('notification.failed', { failed_channel: 'webhook:crm', operator_alert: false });
    expect(planDeliveries(failed, routing(['slack', 'webhook:crm', 'webhook:zap'], ['notification.failed'] as EventType[]))).toEqual([
      'slack',
    ]);
    expect(planDeliveries(failed, routing(['log', 'webhook:crm']))).toEqual(['log']);
    expect(planDeliveries(event('digest.sent', {}, null), routing(['email', 'webhook:crm']))).toEqual(['email']);
  });

  it('when an event concerns no lead, then no webhook gets it', () => {
    expect(planDeliveries(event('lead.status_changed', {}, null), routing(['webhook:crm']))).toEqual([]);
  });
});
