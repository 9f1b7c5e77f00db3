import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { startTestLeadline } from '../helpers/start-test-leadline.ts';
import type { Leadline } from '../../src/main.ts';

let db: TestDatabase;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('bad_input');
  app = await startTestLeadline(db.url, { ROLE: 'api', RATE_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

const valid = { name: 'Ada', email: 'ada@example.com', message: 'hello' };

interface BadCase {
  title: string;
  route?: string;
  body: string;
  contentType?: string;
  status: 400 | 413 | 415;
  /** The field path the problem must name (400 only). */
  path?: string;
}

const json = (value: unknown) => JSON.stringify(value);

const cases: BadCase[] = [
  { title: 'no contact at all', body: json({ name: 'Ada', message: 'hi' }), status: 400, path: 'email' },
  { title: 'a nonsense phone', body: json({ name: 'Ada', phone: 'call me maybe' }), status: 400, path: 'phone' },
  { title: 'a too-short phone', body: json({ name: 'Ada', phone: '+1 12' }), status: 400, path: 'phone' },
  { title: 'an invalid email', body: json({ name: 'Ada', email: 'not-an-email' }), status: 400, path: 'email' },
  { title: 'a client-set status', body: json({ ...valid, status: 'converted' }), status: 400, path: 'status' },
  { title: 'a client-set quality', body: json({ ...valid, quality: 'hot' }), status: 400, path: 'quality' },
  { title: 'a client-set id', body: json({ ...valid, id: '00000000-0000-0000-0000-000000000000' }), status: 400, path: 'id' },
  { title: 'a client-set created_at', body: json({ ...valid, created_at: '2020-01-01T00:00:00Z' }), status: 400, path: 'created_at' },
  {
    title: 'a client-set SLA deadline',
    body: json({ ...valid, sla_response_deadline: '2030-01-01T00:00:00Z' }),
    status: 400,
    path: 'sla_response_deadline',
  },
  { title: 'a client-set sla_breached', body: json({ ...valid, sla_breached: false }), status: 400, path: 'sla_breached' },
  { title: 'malformed JSON', body: '{"name": "Ada", "email": ', status: 400, path: '' },
  { title: 'a NUL byte in the name', body: json({ ...valid, name: 'Ada\u0000Lovelace' }), status: 400, path: 'name' },
  {
    title: 'a NUL byte in a metadata value',
    body: json({ ...valid, metadata: { utm_source: 'x\u0000y' } }),
    status: 400,
    path: 'metadata.utm_source',
  },
  {
    title: 'a lone surrogate in the message',
    body: '{"name":"Ada","email":"ada@example.com","message":"broken \\ud800 text"}',
    status: 400,
    path: 'message',
  },
  {
    title: 'a lone surrogate in a metadata key',
    body: '{"name":"Ada","email":"ada@example.com","metadata":{"\\udc00":"x"}}',
    status: 400,
    path: 'metadata.\udc00',
  },
  { title: 'a 70 KB body', body: json({ ...valid, message: 'x'.repeat(70 * 1024) }), status: 413 },
  { title: 'text/plain', body: 'name=Ada', contentType: 'text/plain', status: 415 },
  { title: 'no content type', body: json(valid), contentType: '', status: 415 },
  { title: 'XML', body: '<lead><name>Ada</name></lead>', contentType: 'application/xml', status: 415 },
  { title: 'an array instead of an object', body: json([valid]), status: 400, path: '' },
  { title: 'a string body', body: json('Ada'), status: 400, path: '' },
  { title: 'null', body: 'null', status: 400, path: '' },
  { title: 'an array where metadata belongs', body: json({ ...valid, metadata: ['utm'] }), status: 400, path: 'metadata' },
  { title: 'an array where the name belongs', body: json({ ...valid, name: ['Ada'] }), status: 400, path: 'name' },
  {
    title: 'a __proto__ key',
    body: '{"name":"Ada","email":"ada@example.com","__proto__":{"status":"converted"}}',
    status: 400,
    path: '__proto__',
  },
  {
    title: 'a __proto__ key inside metadata',
    body: '{"name":"Ada","email":"ada@example.com","metadata":{"__proto__":{"x":1}}}',
    status: 400,
    path: 'metadata.__proto__',
  },
  {
    title: 'a constructor.prototype pollution attempt',
    body: json({ ...valid, constructor: { prototype: { admin: true } } }),
    status: 400,
    path: 'constructor',
  },
  { title: 'an unknown urgency', body: json({ ...valid, urgency: 'whenever' }), status: 400, path: 'urgency' },
  { title: 'a number as the name', body: json({ ...valid, name: 42 }), status: 400, path: 'name' },
  { title: 'an empty name', body: json({ ...valid, name: '   ' }), status: 400, path: 'name' },
  { title: 'a 300-character name', body: json({ ...valid, name: 'a'.repeat(300) }), status: 400, path: 'name' },
  {
    title: 'metadata nested too deep',
    body: json({ ...valid, metadata: { a: { b: { c: { d: { e: { f: 1 } } } } } } }),
    status: 400,
    path: 'metadata.a.b.c.d.e',
  },
  { title: 'a bad source name', body: json({ ...valid, source: 'Bad Source!' }), status: 400, path: 'source' },
  {
    title: 'a chatbot lead without messages',
    route: '/api/chatbot/leads',
    body: json({ email: 'a@example.com', messages: [] }),
    status: 400,
    path: 'messages',
  },
  {
    title: 'a chatbot message with an unknown role',
    route: '/api/chatbot/leads',
    body: json({ email: 'a@example.com', messages: [{ role: 'system', content: 'x' }] }),
    status: 400,
    path: 'messages.0.role',
  },
  {
    title: 'a chatbot message that is an array',
    route: '/api/chatbot/leads',
    body: json({ email: 'a@example.com', messages: [['user', 'hi']] }),
    status: 400,
    path: 'messages.0',
  },
  {
    title: 'a contact form without a message',
    route: '/api/submit-contact',
    body: json({ name: 'Ada', email: 'a@example.com' }),
    status: 400,
    path: 'message',
  },
  {
    title: 'a property inquiry without property_id',
    route: '/api/property-inquiry',
    body: json({ name: 'Ada', email: 'a@example.com' }),
    status: 400,
    path: 'property_id',
  },
  {
    title: 'an Idempotency-Key with spaces',
    body: json({ ...valid, idempotency_key: 'has spaces in it' }),
    status: 400,
    path: 'idempotency_key',
  },
  { title: 'an unknown charset', body: json(valid), contentType: 'application/json; charset=klingon', status: 415 },
];

async function rowCounts(): Promise<string> {
  const { rows } = await db.pool.query(
    `SELECT (SELECT count(*) FROM conversations) || '/' || (SELECT count(*) FROM lead_events) || '/' || (SELECT count(*) FROM chat_messages) AS counts`,
  );
  return rows[0].counts as string;
}

describe('bad input', () => {
  for (const badCase of cases) {
    it(`when the body has ${badCase.title}, then ${badCase.status} problem+json${badCase.path !== undefined ? ` naming "${badCase.path}"` : ''} and nothing is written`, async () => {
      const before = await rowCounts();
      const headers: Record<string, string> = {};
      const contentType = badCase.contentType ?? 'application/json';
      if (contentType) headers['content-type'] = contentType;
      const response = await fetch(`${app.url}${badCase.route ?? '/api/leads'}`, { method: 'POST', headers, body: badCase.body });
      expect(response.status).toBe(badCase.status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = await response.json();
      expect(problem).toMatchObject({
        type: expect.any(String),
        title: expect.any(String),
        status: badCase.status,
        detail: expect.any(String),
      });
      expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+/);
      // A 400 names the field; a 413 or 415 is about the whole body and lists no fields.
      const paths = (problem.errors as { path: string }[] | undefined)?.map((error) => error.path);
      expect(paths).toEqual(badCase.path === undefined ? undefined : expect.arrayContaining([badCase.path]));
      expect(await rowCounts()).toBe(before);
    });
  }

  it('when one address sends more than RATE_LIMIT_PER_MINUTE requests in a minute, then the next gets 429 with Retry-After', async () => {
    const limited = await startTestLeadline(db.url, { ROLE: 'api', RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const responses: Response[] = [];
      for (let index = 0; index < 6; index++) {
        const response = await fetch(`${limited.url}/api/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: json({ name: 'Rate', email: `rate${index}@example.com` }),
        });
        await response.arrayBuffer();
        responses.push(response);
      }
      expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201, 429]);
      const limitedAnswer = responses[5]!;
      expect(limitedAnswer.headers.get('content-type')).toContain('application/problem+json');
      const retryAfter = limitedAnswer.headers.get('retry-after');
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    } finally {
      await limited.stop();
    }
  });

  // A database that cannot be reached (503 problem+json with Retry-After, fast, SPOOL_DIR=off) is proven through
  // the real process, with its own PostgreSQL stopped, in test/faults/health-ready.test.ts.
});
