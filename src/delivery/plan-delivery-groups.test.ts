import { describe, expect, it } from 'vitest';
import { leadCreated } from '../../test/stubs/notice-fixtures.ts';
import { collectWantedDeliveries, COALESCE_WHEN_WAITING, planDeliveryGroups, type PlannedDelivery } from './plan-delivery-groups.ts';

const planned = (count: number): PlannedDelivery[] =>
  Array.from({ length: count }, (_, index) => ({
    key: { eventId: String(index + 1), round: 0 },
    source: { notice: leadCreated({}, String(index + 1)), eventType: 'lead.created', conversationId: null },
    tries: 0,
  }));

describe('planDeliveryGroups', () => {
  it('when a paced destination keeps up, then every delivery is a message of its own, in order', () => {
    const groups = planDeliveryGroups(planned(3), { minIntervalMs: 1_000, maxNoticesPerMessage: 50 });
    expect(groups.map((group) => group.map((entry) => entry.key.eventId))).toEqual([['1'], ['2'], ['3']]);
  });

  it('when sending one by one at the pace would take more than three seconds, then summaries of up to the channel limit go out', () => {
    const groups = planDeliveryGroups(planned(5), { minIntervalMs: 1_000, maxNoticesPerMessage: 2 });
    expect(groups.map((group) => group.length)).toEqual([2, 2, 1]);
    expect(groups.flat().map((entry) => entry.key.eventId)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('when many alerts wait for an unpaced destination, then they are summarised too', () => {
    expect(planDeliveryGroups(planned(COALESCE_WHEN_WAITING - 1), { minIntervalMs: 0, maxNoticesPerMessage: 50 })).toHaveLength(
      COALESCE_WHEN_WAITING - 1,
    );
    expect(planDeliveryGroups(planned(COALESCE_WHEN_WAITING), { minIntervalMs: 0, maxNoticesPerMessage: 50 })).toHaveLength(1);
  });

  it('when a channel never coalesces, then a backlog still goes out one per message', () => {
    expect(planDeliveryGroups(planned(40), { minIntervalMs: 0, maxNoticesPerMessage: 1 })).toHaveLength(40);
  });

  it('when a digest waits among a backlog of alerts, then it goes out on its own, never folded into a summary', () => {
    const digest: PlannedDelivery = {
      key: { eventId: 'd', round: 0 },
      source: {
        notice: { kind: 'digest', eventId: 'd', subject: 'Daily digest', text: 't', html: 'h' },
        eventType: 'digest.sent',
        conversationId: null,
      },
      tries: 0,
    };
    const groups = planDeliveryGroups([...planned(30), digest], { minIntervalMs: 0, maxNoticesPerMessage: 50 });
    expect(groups.map((group) => group.length)).toEqual([30, 1]);
    expect(groups[1]?.[0]?.key.eventId).toBe('d');
  });
});

describe('collectWantedDeliveries', () => {
  it('when the same delivery was queued twice, then it is planned once with the most tries spent', () => {
    const wanted = collectWantedDeliveries([
      { data: { eventId: '7', tries: 1 } },
      { data: { eventId: '7', tries: 3 } },
      { data: { eventId: '7', tries: 0, round: 1 } },
      { data: { eventId: '8', tries: 0 } },
    ]);
    expect(wanted).toEqual([
      { eventId: '7', round: 0, tries: 3 },
      { eventId: '7', round: 1, tries: 0 },
      { eventId: '8', round: 0, tries: 0 },
    ]);
  });
});
