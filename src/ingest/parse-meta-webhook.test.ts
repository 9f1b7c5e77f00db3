import { describe, expect, it } from 'vitest';
import { parseMetaWebhook } from './parse-meta-webhook.ts';

describe('parseMetaWebhook', () => {
  it('when ids are big JSON numbers, then every id comes out as exact text and the per-lead body keeps them exact', () => {
    const text =
      '{"object":"page","entry":[{"id":"111","time":1520383571,"changes":[{"field":"leadgen","value":' +
      '{"ad_id":"444","form_id":98765432109876543,"leadgen_id":12345678901234567,"created_time":1520383571,"page_id":111,"adgroup_id":"555"}}]}]}';
    const parsed = parseMetaWebhook(text);
    expect(parsed).toMatchObject({
      ok: true,
      ignored: 0,
      invalid: [],
      changes: [{ leadgenId: '12345678901234567', pageId: '111', formId: '98765432109876543', adId: '444', adgroupId: '555' }],
    });
    if (!parsed.ok) throw new Error('unreachable');
    expect(parsed.changes[0]?.body).toContain('"leadgen_id":"12345678901234567"');
  });

  it('when one delivery carries several pages and fields, then each leadgen change is returned and other fields are counted as ignored', () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: '1',
          time: 1,
          changes: [
            { field: 'leadgen', value: { leadgen_id: '10', page_id: '1', form_id: '7' } },
            { field: 'feed', value: {} },
          ],
        },
        {
          id: '2',
          time: 1,
          changes: [
            { field: 'leadgen', value: { leadgen_id: 11, page_id: 2 } },
            { field: 'leadgen', value: { page_id: 2 } },
          ],
        },
      ],
    };
    const parsed = parseMetaWebhook(JSON.stringify(body));
    expect(parsed).toMatchObject({
      ok: true,
      ignored: 1,
      changes: [{ leadgenId: '10' }, { leadgenId: '11', pageId: '2' }],
      invalid: [{ reason: expect.any(String) }],
    });
  });

  it('when the body is not JSON or not a webhook, then it says why', () => {
    expect(parseMetaWebhook('not json')).toEqual({ ok: false, reason: expect.stringContaining('JSON') });
    expect(parseMetaWebhook('{"hello":1}')).toEqual({ ok: false, reason: expect.stringContaining('Meta webhook') });
  });
});
