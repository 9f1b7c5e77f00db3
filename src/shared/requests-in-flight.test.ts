import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { RequestsInFlight } from './requests-in-flight.ts';

describe('RequestsInFlight', () => {
  it('when requests enter and leave, then the count follows them', () => {
    const inFlight = new RequestsInFlight();
    inFlight.enter();
    inFlight.enter();
    inFlight.leave();
    expect(inFlight.count()).toBe(1);
  });

  it('when another thread holds the same buffer, then it reads the count this thread keeps', async () => {
    const inFlight = new RequestsInFlight();
    for (let index = 0; index < 3; index++) inFlight.enter();
    const reader = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       parentPort.postMessage(Atomics.load(new Int32Array(workerData), 0));`,
      { eval: true, workerData: inFlight.buffer },
    );
    const seen = await new Promise((resolve, reject) => {
      reader.once('message', resolve);
      reader.once('error', reject);
    });
    await reader.terminate();
    expect(seen).toBe(3);
  });
});
