import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describeStats, Ledger } from './ledger.ts';
import { CAPTURE_ROUTES, LEAD_NAME_PATTERN, newRunTag, runLoad, sendCapture } from './load.ts';

interface Seen {
  at: number;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A local capture endpoint whose answer per request the test decides. */
async function startTarget(
  handle: (seen: Seen, response: ServerResponse, request: IncomingMessage) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        at: Date.now(),
        url: request.url ?? '',
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      };
      seen.push(entry);
      handle(entry, response, request);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const created = (response: ServerResponse, id: string) =>
  response
    .writeHead(201, { 'content-type': 'application/json' })
    .end(JSON.stringify({ id, quality: 'warm', sla_deadline: new Date().toISOString() }));

describe('the load generator and its ledger', () => {
  it('when run at 40 requests/s for 1 s, then it sends 40 evenly spaced requests, each with a unique key, email and name, over all four capture routes, and records every answer', async () => {
    let next = 0;
    const target = await startTarget((_seen, response) => created(response, `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`));
    const ledger = new Ledger();
    const startedAt = Date.now();
    await runLoad({ target: target.url, ratePerSecond: 40, durationMs: 1000, ledger, tag: newRunTag() });

    expect(ledger.entries).toHaveLength(40);
    expect(target.seen).toHaveLength(40);
    const keys = new Set(target.seen.map((seen) => seen.headers['idempotency-key']));
    const emails = new Set(target.seen.map((seen) => seen.body['email']));
    expect(keys.size, 'idempotency keys are unique').toBe(40);
    expect(emails.size, 'emails are unique').toBe(40);
    expect(new Set(target.seen.map((seen) => seen.url))).toEqual(new Set(CAPTURE_ROUTES));
    for (const seen of target.seen) expect(String(seen.body['name'])).toMatch(new RegExp(`^${LEAD_NAME_PATTERN.source}$`));
    // Open loop: the last request goes out close to the end of the second, not as fast as answers come.
    const lastSentAt = Math.max(...ledger.entries.map((entry) => entry.sentAt));
    expect(lastSentAt - startedAt).toBeGreaterThanOrEqual(900);
    expect(lastSentAt - startedAt).toBeLessThan(1300);
    const stats = ledger.stats();
    expect(stats.acknowledged, describeStats(stats)).toBe(40);
    expect(ledger.acknowledged().every((entry) => entry.leadId !== undefined && entry.status === 201)).toBe(true);
  });

  it('when answers are 202 spooled, 200 duplicate and 503 with and without Retry-After, then the ledger counts 202 and 200 as acknowledged and 503 as not, and notes a missing Retry-After', async () => {
    const replies = [
      (response: ServerResponse) =>
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"00000000-0000-4000-8000-000000000001","spooled":true}'),
      (response: ServerResponse) =>
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"id":"00000000-0000-4000-8000-000000000002","duplicate":true}'),
      (response: ServerResponse) =>
        response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '2' }).end('{"status":503}'),
      (response: ServerResponse) => response.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"status":503}'),
    ];
    let index = 0;
    const target = await startTarget((_seen, response) => replies[index++]!(response));
    const ledger = new Ledger();
    const tag = newRunTag();
    for (let i = 0; i < replies.length; i++) await sendCapture(ledger, target.url, { tag });

    const [spooled, duplicate, retryLater, bare] = ledger.entries;
    expect(spooled).toMatchObject({ status: 202, spooled: true, leadId: '00000000-0000-4000-8000-000000000001' });
    expect(duplicate).toMatchObject({ status: 200, duplicate: true });
    expect(retryLater).toMatchObject({ status: 503, retryAfter: '2', leadId: undefined });
    expect(bare).toMatchObject({ status: 503, retryAfter: undefined });
    const stats = ledger.stats();
    expect(stats).toMatchObject({ acknowledged: 2, spooled: 1, unavailableWithoutRetryAfter: 1, byStatus: { 202: 1, 200: 1, 503: 2 } });
  });

  it('when the server never answers, resets the connection or is not listening, then the ledger records timeout, reset and refused with their times', async () => {
    const hanging = await startTarget(() => {});
    const resetting = await startTarget((_seen, _response, request) => request.socket.destroy());
    const closed = await startTarget(() => {});
    const closedServer = servers.pop()!;
    await new Promise((resolve) => closedServer.close(resolve));
    const ledger = new Ledger();
    const tag = newRunTag();

    const timedOut = await sendCapture(ledger, hanging.url, { tag, timeoutMs: 300 });
    const reset = await sendCapture(ledger, resetting.url, { tag });
    const refused = await sendCapture(ledger, closed.url, { tag });

    expect(timedOut).toMatchObject({ error: 'timeout', status: undefined });
    expect(timedOut.answeredAt! - timedOut.sentAt).toBeGreaterThanOrEqual(290);
    expect(timedOut.answeredAt! - timedOut.sentAt).toBeLessThan(1000);
    expect(reset.error).toBe('reset');
    expect(refused.error).toBe('refused');
    const stats = ledger.stats();
    expect(stats.errors).toEqual({ timeout: 1, reset: 1, refused: 1, other: 0 });
    expect(stats.acknowledged).toBe(0);
    expect(stats.maxAnswerMs).toBeGreaterThanOrEqual(290);
  });

  it('when an answer is slow, then the ledger reports it as the max answer time', async () => {
    const target = await startTarget((_seen, response) => {
      setTimeout(() => created(response, '00000000-0000-4000-8000-000000000009'), 400);
    });
    const ledger = new Ledger();
    await sendCapture(ledger, target.url, { tag: newRunTag() });
    expect(ledger.stats().maxAnswerMs).toBeGreaterThanOrEqual(390);
    expect(() => ledger.answered(ledger.entries[0]!.requestId, { status: 201, body: {} })).toThrow(/already completed/);
  });
});
