import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Answer } from './classify-answer.ts';
import { openPendingStore, type Submission } from './open-pending-store.ts';
import { startOutbox, type DeliveryListener } from './start-outbox.ts';

const submission = (key: string): Submission => ({
  key,
  url: 'https://leads.example/api/submit-contact',
  body: { name: 'Ada' },
  form: 'contact',
  savedAt: Date.now(),
});

/** A listener that records what it heard. */
function recorder(): DeliveryListener & { heard: string[] } {
  const heard: string[] = [];
  return {
    heard,
    acknowledged: (id, delayed) => heard.push(`acknowledged ${id}${delayed ? ' (delayed)' : ''}`),
    refused: (answer) => heard.push(`refused ${answer.detail}`),
    waiting: (durable) => heard.push(`waiting${durable ? '' : ' (this page only)'}`),
  };
}

function storage(): Storage {
  const entries = new Map<string, string>();
  return {
    get length() {
      return entries.size;
    },
    key: (index) => [...entries.keys()][index] ?? null,
    getItem: (name) => entries.get(name) ?? null,
    setItem: (name, value) => void entries.set(name, value),
    removeItem: (name) => void entries.delete(name),
    clear: () => entries.clear(),
  };
}

/** A server whose answers the test scripts, one per attempt, recording each attempt's key. */
function scriptedServer(answers: Answer[]) {
  const attempts: string[] = [];
  return {
    attempts,
    send: async (sent: Submission) => {
      attempts.push(sent.key);
      return answers.shift() ?? { kind: 'retry' as const, retryAfterMs: undefined };
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const deps = (store = openPendingStore(storage())) => ({
  store,
  now: Date.now,
  random: () => 1,
  onOnline: () => {},
  listenerFor: () => recorder(),
});

describe('startOutbox', () => {
  it('when the first attempt fails, then the form hears "waiting", the submission is kept, and it is sent again with the same key after the backoff until acknowledged, then forgotten', async () => {
    const store = openPendingStore(storage());
    const server = scriptedServer([
      { kind: 'retry', retryAfterMs: 5_000 },
      { kind: 'retry', retryAfterMs: undefined },
      { kind: 'acknowledged', id: 'lead-1' },
    ]);
    const outbox = startOutbox({ ...deps(store), send: server.send });
    const listener = recorder();
    outbox.submit(submission('key-1'), listener);
    await vi.advanceTimersByTimeAsync(0);
    expect(listener.heard).toEqual(['waiting']);
    expect(store.list(Date.now()).map((item) => item.key)).toEqual(['key-1']);

    await vi.advanceTimersByTimeAsync(4_999);
    expect(server.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(server.attempts).toEqual(['key-1', 'key-1', 'key-1']);
    expect(listener.heard).toEqual(['waiting', 'acknowledged lead-1 (delayed)']);
    expect(store.list(Date.now())).toEqual([]);
  });

  it('when the server refuses the submission, then it is forgotten at once and never sent again', async () => {
    const store = openPendingStore(storage());
    const server = scriptedServer([{ kind: 'refused', detail: 'email: is not a valid email address', errors: [] }]);
    const listener = recorder();
    startOutbox({ ...deps(store), send: server.send }).submit(submission('key-2'), listener);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(listener.heard).toEqual(['refused email: is not a valid email address']);
    expect(server.attempts).toHaveLength(1);
    expect(store.list(Date.now())).toEqual([]);
  });

  it('when a page starts with submissions an earlier page kept, then it sends them at once and tells their listener', async () => {
    const store = openPendingStore(storage());
    store.save(submission('earlier'));
    const server = scriptedServer([{ kind: 'acknowledged', id: 'lead-9' }]);
    const orphan = recorder();
    startOutbox({ ...deps(store), send: server.send, listenerFor: () => orphan });
    await vi.advanceTimersByTimeAsync(0);
    expect(server.attempts).toEqual(['earlier']);
    expect(orphan.heard).toEqual(['acknowledged lead-9 (delayed)']);
  });

  it('when the browser comes back online, then waiting submissions are sent at once instead of after their backoff', async () => {
    let online = () => {};
    const server = scriptedServer([
      { kind: 'retry', retryAfterMs: 60_000 },
      { kind: 'acknowledged', id: 'lead-3' },
    ]);
    const listener = recorder();
    const outbox = startOutbox({ ...deps(), send: server.send, onOnline: (callback) => (online = callback) });
    outbox.submit(submission('key-3'), listener);
    await vi.advanceTimersByTimeAsync(10);
    online();
    await vi.advanceTimersByTimeAsync(0);
    expect(listener.heard).toEqual(['waiting', 'acknowledged lead-3 (delayed)']);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.attempts).toHaveLength(2);
  });

  it('when the first attempt is acknowledged, then the acknowledgement is not delayed', async () => {
    const listener = recorder();
    startOutbox({ ...deps(), send: scriptedServer([{ kind: 'acknowledged', id: 'lead-4' }]).send }).submit(submission('key-4'), listener);
    await vi.advanceTimersByTimeAsync(0);
    expect(listener.heard).toEqual(['acknowledged lead-4']);
  });
});
