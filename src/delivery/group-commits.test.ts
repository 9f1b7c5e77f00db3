import { describe, expect, it } from 'vitest';
import { groupCommits } from './group-commits.ts';

/** A write that records what it was given and finishes when the test says so. */
function controlledWrite() {
  const writes: string[][] = [];
  const finish: ((error?: Error) => void)[] = [];
  const write = (items: string[]) =>
    new Promise<void>((resolve, reject) => {
      writes.push(items);
      finish.push((error) => (error ? reject(error) : resolve()));
    });
  return { writes, finish, write };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('groupCommits', () => {
  it('when items arrive in one turn, then one write carries them all and every caller resolves after it', async () => {
    const { writes, finish, write } = controlledWrite();
    const record = groupCommits(write);
    const settled: string[] = [];
    const calls = ['a', 'b', 'c'].map((item) => record(item).then(() => settled.push(item)));
    await turn();
    expect(writes).toEqual([['a', 'b', 'c']]);
    expect(settled).toEqual([]);
    finish[0]!();
    await Promise.all(calls);
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('when items arrive while a write is in flight, then they go together in the next write, after it', async () => {
    const { writes, finish, write } = controlledWrite();
    const record = groupCommits(write);
    const first = record('a');
    await turn();
    const later = [record('b'), record('c')];
    await turn();
    expect(writes).toEqual([['a']]);
    finish[0]!();
    await first;
    await turn();
    expect(writes).toEqual([['a'], ['b', 'c']]);
    finish[1]!();
    await Promise.all(later);
  });

  it('when a write fails, then only the callers it carried reject, with its error, and the next write still runs', async () => {
    const { writes, finish, write } = controlledWrite();
    const record = groupCommits(write);
    const failed = record('a');
    await turn();
    const next = record('b');
    finish[0]!(new Error('database away'));
    await expect(failed).rejects.toThrow('database away');
    await turn();
    expect(writes).toEqual([['a'], ['b']]);
    finish[1]!();
    await expect(next).resolves.toBeUndefined();
  });
});
