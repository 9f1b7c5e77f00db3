import { describe, expect, it } from 'vitest';
import { createBoundedMemoryStore } from './rate-limit.ts';

describe('createBoundedMemoryStore', () => {
  it('when a client comes back within the window, then its hits add up; after the window they start again', async () => {
    let time = 0;
    const store = createBoundedMemoryStore(10, () => time);
    expect((await store.increment('a')).totalHits).toBe(1);
    expect((await store.increment('a')).totalHits).toBe(2);
    time = 60_001;
    expect((await store.increment('a')).totalHits).toBe(1);
  });

  it('when more clients come than it may remember, then the oldest is forgotten and memory stays bounded', async () => {
    const store = createBoundedMemoryStore(3, () => 0);
    for (const key of ['a', 'b', 'c', 'd']) await store.increment(key);
    expect(store.get?.('a')).toBeUndefined();
    expect(store.get?.('d')).toMatchObject({ totalHits: 1 });
    for (let n = 0; n < 1_000; n += 1) await store.increment(`flood-${n}`);
    expect(['a', 'b', 'c', 'd'].map((key) => store.get?.(key))).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('when a counted request turns out successful (webhooks count failures only), then decrement takes it back', async () => {
    const store = createBoundedMemoryStore(10, () => 0);
    await store.increment('sender');
    await store.decrement('sender');
    expect(store.get?.('sender')).toMatchObject({ totalHits: 0 });
  });
});
