/**
 * Group commit for the outcomes of sends that run side by side: everything handed in within one turn of the
 * event loop goes into one write, and what arrives while a write is in flight waits for the next one. Each
 * caller's promise settles with the write that carried its item (resolves once it committed, rejects with its
 * error), so a caller still learns that *its* outcome is recorded before it moves on, and a crash repeats at
 * most the messages in flight at once, as before.
 */
export function groupCommits<T>(write: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing = false;

  const writeWhileWaiting = async () => {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await write(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    writing = false;
  };

  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      // The first item of a quiet spell waits for the end of this turn, so its siblings join it.
      if (!writing && waiting.length === 1) setImmediate(() => void writeWhileWaiting());
    });
}
