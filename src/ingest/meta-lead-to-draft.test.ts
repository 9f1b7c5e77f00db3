import { describe, expect, it } from 'vitest';
import type { GraphLead } from './graph-lead.ts';
import { metaLeadToDraft } from './meta-lead-to-draft.ts';

const baseLead: GraphLead = {
  id: '12345678901234567',
  created_time: '2026-03-01T10:00:00+0000',
  form_id: '555000111222333',
  ad_id: '600000000000001',
  campaign_id: '700000000000001',
  field_data: [
    { name: 'full_name', values: ['Joe Example'] },
    { name: 'email', values: ['Joe@Example.com'] },
    { name: 'phone_number', values: ['+14155550123'] },
    { name: 'when_do_you_want_to_buy', values: ['ASAP'] },
    { name: 'car_models', values: ['Civic', 'Accord'] },
  ],
  custom_disclaimer_responses: [
    { checkbox_key: 'marketing_optin', is_checked: '1' },
    { checkbox_key: 'terms', is_checked: '' },
  ],
};

describe('metaLeadToDraft', () => {
  it('when a lead has the standard fields, then they become the contact, other answers go to metadata, ids stay text and consent is kept', () => {
    const result = metaLeadToDraft(baseLead, { pageId: '111222333444555', adgroupId: '800000000000001', via: 'webhook' }, undefined);
    if (!('draft' in result)) throw new Error(result.problem);
    expect(result.draft).toMatchObject({
      source: 'meta',
      externalId: '12345678901234567',
      idempotencyKey: 'meta:12345678901234567',
      name: 'Joe Example',
      email: 'joe@example.com',
      phone: '+14155550123',
      message: 'when do you want to buy: ASAP\ncar models: Civic, Accord',
      consent: {
        given: false,
        checkboxes: [
          { key: 'marketing_optin', checked: true },
          { key: 'terms', checked: false },
        ],
      },
      metadata: {
        page_id: '111222333444555',
        form_id: '555000111222333',
        ad_id: '600000000000001',
        adgroup_id: '800000000000001',
        campaign_id: '700000000000001',
        ingested_via: 'webhook',
        answers: { when_do_you_want_to_buy: 'ASAP', car_models: ['Civic', 'Accord'] },
      },
    });
    expect(result.draft.slaStartAt?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });

  it('when the name comes as first and last name and the phone lacks its plus, then both are still read', () => {
    const lead = {
      ...baseLead,
      field_data: [
        { name: 'first_name', values: ['Ada'] },
        { name: 'last_name', values: ['Lovelace'] },
        { name: 'phone_number', values: ['442079460958'] },
      ],
    };
    const result = metaLeadToDraft(lead, { via: 'poll' }, undefined);
    expect(result).toMatchObject({ draft: { name: 'Ada Lovelace', phone: '+442079460958', email: null } });
  });

  it('when the email is invalid but a phone exists, then the lead is kept and the raw email stays among the answers', () => {
    const lead = {
      ...baseLead,
      field_data: [
        { name: 'email', values: ['not-an-email'] },
        { name: 'phone_number', values: ['+14155550123'] },
      ],
    };
    expect(metaLeadToDraft(lead, { via: 'poll' }, undefined)).toMatchObject({
      draft: { email: null, metadata: { answers: { email: 'not-an-email' } } },
    });
  });

  it('when the lead has neither email nor phone, then a reason comes back instead of a draft (and it holds no personal data)', () => {
    const lead = { ...baseLead, field_data: [{ name: 'full_name', values: ['Nobody Reachable'] }] };
    const result = metaLeadToDraft(lead, { via: 'webhook' }, undefined);
    expect(result).toEqual({ problem: expect.any(String) });
    expect(JSON.stringify(result)).not.toContain('Nobody');
  });
});
