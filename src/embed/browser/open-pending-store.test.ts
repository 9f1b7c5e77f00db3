import { describe, expect, it } from 'vitest';
import { MAX_PENDING_AGE_MS, openPendingStore, type Submission } from './open-pending-store.ts';

/** The Storage interface over a Map, as localStorage behaves (strings in, strings out). */
function memoryStorage(options: { refuseWrites?: boolean } = {}): Storage & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get length() {
      return entries.size;
    },
    key: (index) => [...entries.keys()][index] ?? null,
    getItem: (name) => entries.get(name) ?? null,
    setItem: (name, value) => {
      if (options.refuseWrites) throw new DOMException('quota', 'QuotaExceededError');
      entries.set(name, String(value));
    },
    removeItem: (name) => void entries.delete(name),
    clear: () => entries.clear(),
  };
}

const submission = (key: string, savedAt: number): Submission => ({
  key,
  url: 'https://leads.example/api/submit-contact',
  body: { name: 'Ada', email: 'ada@example.com', message: 'Hi' },
  form: 'contact',
  savedAt,
});

describe('openPendingStore', () => {
  it('when submissions are saved, then a later page (a new store on the same storage) lists them oldest first until they are removed', () => {
    const storage = memoryStorage();
    const first = openPendingStore(storage);
    expect(first.save(submission('b', 2_000))).toBe(true);
    expect(first.save(submission('a', 1_000))).toBe(true);
    storage.setItem('unrelated', 'kept');

    const later = openPendingStore(storage);
    expect(later.list(3_000).map((item) => item.key)).toEqual(['a', 'b']);
    later.remove('a');
    expect(
      openPendingStore(storage)
        .list(3_000)
        .map((item) => item.key),
    ).toEqual(['b']);
    expect(storage.getItem('unrelated')).toBe('kept');
  });

  it('when an entry is unreadable or older than the age limit, then it is dropped', () => {
    const storage = memoryStorage();
    const store = openPendingStore(storage);
    store.save(submission('old', 0));
    store.save(submission('new', MAX_PENDING_AGE_MS));
    storage.setItem('leadline.pending.broken', '{not json');
    storage.setItem('leadline.pending.other', JSON.stringify(submission('mismatch', 1)));
    expect(
      openPendingStore(storage)
        .list(MAX_PENDING_AGE_MS + 1)
        .map((item) => item.key),
    ).toEqual(['new']);
    expect([...storage.entries.keys()]).toEqual(['leadline.pending.new']);
  });

  it('when the browser refuses to store, then save says so and the submission is still listed for this page', () => {
    const store = openPendingStore(memoryStorage({ refuseWrites: true }));
    expect(store.save(submission('a', 1))).toBe(false);
    expect(store.list(2).map((item) => item.key)).toEqual(['a']);
    expect(openPendingStore(undefined).list(2)).toEqual([]);
  });
});
