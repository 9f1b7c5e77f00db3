import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnLeadline, type SpawnedLeadline } from '../helpers/spawn-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

let db: TestDatabase | undefined;
let worker: SpawnedLeadline | undefined;
afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.exited;
  await db?.drop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('a worker process', () => {
  it('when ROLE=worker runs with METRICS_PORT, then it serves its own metrics and readiness there', async () => {
    db = await createTestDatabase('worker_metrics');
    const port = await freePort();
    worker = await spawnLeadline({ DATABASE_URL: db.url, ROLE: 'worker', METRICS_PORT: String(port) });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^leadline_database_up 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^leadline_queue_jobs\{queue="deliver-log",state="ready"\} \d+$/m);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { db: { status: 'ok' }, queue: { status: 'ok' } } });
  });
});
