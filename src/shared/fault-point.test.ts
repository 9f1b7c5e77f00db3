import { describe, expect, it } from 'vitest';
import { createFaultPoints } from './fault-point.ts';

describe('createFaultPoints', () => {
  it('when no point is set, then reaching any point does nothing', () => {
    let killed = 0;
    const reach = createFaultPoints(undefined, () => (killed += 1));
    reach('before_send');
    reach('after_send');
    expect(killed).toBe(0);
  });

  it('when a point is set with at = 2, then only its second arrival kills, and other points never do', () => {
    let killed = 0;
    const reach = createFaultPoints({ point: 'after_send', at: 2 }, () => (killed += 1));
    reach('before_send');
    reach('after_send');
    expect(killed).toBe(0);
    reach('after_send');
    expect(killed).toBe(1);
    reach('after_send');
    expect(killed).toBe(1);
  });
});
