import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CaptureLoad } from './capture-load.ts';

describe('CaptureLoad', () => {
  it('when requests enter and leave, then the count follows them', () => {
    const load = new CaptureLoad();
    load.enter();
    load.enter();
    load.leave();
    expect(load.inFlight()).toBe(1);
  });

  it('when the API is marked overloaded and then calm, then the flag follows', () => {
    const load = new CaptureLoad();
    expect(load.isOverloaded()).toBe(false);
    load.setOverloaded(true);
    expect(load.isOverloaded()).toBe(true);
    load.setOverloaded(false);
    expect(load.isOverloaded()).toBe(false);
  });

  it('when another thread holds the same buffer, then it reads the count and the flag this thread keeps', async () => {
    const load = new CaptureLoad();
    for (let index = 0; index < 3; index++) load.enter();
    load.setOverloaded(true);
    const reader = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const { CaptureLoad } = require(${JSON.stringify(new URL('./capture-load.ts', import.meta.url).pathname)});
       const load = new CaptureLoad(workerData);
       parentPort.postMessage({ inFlight: load.inFlight(), overloaded: load.isOverloaded() });`,
      { eval: true, workerData: load.buffer },
    );
    const seen = await new Promise((resolve, reject) => {
      reader.once('message', resolve);
      reader.once('error', reject);
    });
    await reader.terminate();
    expect(seen).toEqual({ inFlight: 3, overloaded: true });
  });
});
