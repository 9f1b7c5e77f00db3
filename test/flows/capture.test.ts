import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, startTestLeadline } from '../helpers/start-test-leadline.ts';
import type { Leadline } from '../../src/main.ts';

let db: TestDatabase;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('capture');
  app = await startTestLeadline(db.url, { ROLE: 'api', RATE_LIMIT_PER_MINUTE: '100000', CORS_ORIGINS: 'https://shop.example' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

async function countsFor(conversationId: string) {
  const { rows } = await db.pool.query(
    /* sql */ `SELECT
      (SELECT count(*)::int FROM conversations WHERE id = $1) AS conversations,
      (SELECT count(*)::int FROM chat_messages WHERE conversation_id = $1) AS messages,
      (SELECT count(*)::int FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.created') AS events,
      (SELECT count(*)::int FROM conversation_timeline WHERE conversation_id = $1) AS timeline`,
    [conversationId],
  );
  return rows[0] as { conversations: number; messages: number; events: number; timeline: number };
}

async function totalRows() {
  const { rows } = await db.pool.query(/* sql */ `SELECT
      (SELECT count(*)::int FROM conversations) AS conversations,
      (SELECT count(*)::int FROM chat_messages) AS messages,
      (SELECT count(*)::int FROM lead_events) AS events,
      (SELECT count(*)::int FROM conversation_timeline) AS timeline`);
  return rows[0] as Record<string, number>;
}

describe('capture routes', () => {
  const cases: { route: string; body: Record<string, unknown>; messages: number }[] = [
    {
      route: '/api/chatbot/leads',
      body: {
        name: 'Grace Hopper',
        email: 'grace@example.com',
        messages: [
          { role: 'bot', content: 'How can I help?' },
          { role: 'user', content: 'I need a quote for solar panels' },
        ],
      },
      messages: 2,
    },
    {
      route: '/api/submit-contact',
      body: { name: 'Alan Turing', email: 'ALAN@Example.com', message: 'Please call me back about pricing', consent: true },
      messages: 1,
    },
    {
      route: '/api/property-inquiry',
      body: { property_id: 'prop-42', property_title: 'Loft', name: 'Ada', phone: '+442079460958', message: 'Is it still available?' },
      messages: 1,
    },
    {
      route: '/api/leads',
      body: { name: 'Linus', phone: '+1 415 555 0123', message: 'Burst pipe in the kitchen', urgency: 'emergency', source: 'google-ads' },
      messages: 1,
    },
  ];

  for (const { route, body, messages } of cases) {
    it(`when a valid lead is posted to ${route}, then 201 and exactly one conversation, its messages, one lead.created event and one timeline row exist`, async () => {
      const response = await postJson(`${app.url}${route}`, body);
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        quality: expect.stringMatching(/^(hot|warm|cold)$/),
        sla_deadline: expect.any(String),
      });
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(await countsFor(response.body.id)).toEqual({ conversations: 1, messages, events: 1, timeline: 1 });
    });
  }

  it('when a lead arrives, then its email is lower-cased and its phone stored in E.164', async () => {
    const response = await postJson(`${app.url}/api/leads`, {
      name: 'Norm',
      email: 'Norm@Example.COM',
      phone: '(415) 555-0199',
      metadata: { country: 'US', utm_source: 'ads' },
    });
    expect(response.status).toBe(201);
    const { rows } = await db.pool.query('SELECT email, phone, metadata FROM conversations WHERE id = $1', [response.body.id]);
    expect(rows[0]).toEqual({ email: 'norm@example.com', phone: '+14155550199', metadata: { country: 'US', utm_source: 'ads' } });
  });

  it('when an emergency lead arrives, then it is hot with a deadline 15 minutes after capture', async () => {
    const before = Date.now();
    const response = await postJson(`${app.url}/api/leads`, { name: 'Hot Lead', email: 'hot@example.com', urgency: 'emergency' });
    expect(response.body.quality).toBe('hot');
    const deadline = Date.parse(response.body.sla_deadline);
    expect(deadline - before).toBeGreaterThanOrEqual(15 * 60_000 - 1_000);
    expect(deadline - Date.now()).toBeLessThanOrEqual(15 * 60_000);
  });

  it('when one of the inserts fails, then nothing of that lead remains and the client gets a 5xx problem+json', async () => {
    await db.pool.query(/* sql */ `
      CREATE FUNCTION fail_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.title LIKE '%' AND EXISTS (SELECT 1 FROM conversations WHERE id = NEW.conversation_id AND name = 'Doomed') THEN
        RAISE EXCEPTION 'simulated timeline failure'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER fail_timeline BEFORE INSERT ON conversation_timeline FOR EACH ROW EXECUTE FUNCTION fail_timeline();`);
    try {
      const before = await totalRows();
      const response = await postJson(`${app.url}/api/submit-contact`, {
        name: 'Doomed',
        email: 'doomed@example.com',
        message: 'This will not stick',
      });
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: 500, title: expect.any(String), detail: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toContain('simulated timeline failure');
      expect(await totalRows()).toEqual(before);
      const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM conversations WHERE email = 'doomed@example.com'");
      expect(rows[0].n).toBe(0);
    } finally {
      await db.pool.query('DROP TRIGGER fail_timeline ON conversation_timeline; DROP FUNCTION fail_timeline();');
    }
  });
});

describe('phones', () => {
  it('when a lead has a valid email and a phone that no numbering plan allows, then it is captured and the phone is kept in metadata with the reason', async () => {
    const response = await postJson(`${app.url}/api/leads`, {
      name: 'Doubtful Phone',
      email: 'doubtful@example.com',
      phone: '+1 555 555 5555',
    });
    expect(response.status).toBe(201);
    const { rows } = await db.pool.query('SELECT phone, metadata FROM conversations WHERE id = $1', [response.body.id]);
    expect(rows[0]).toEqual({ phone: null, metadata: { phone_unverified: { value: '+1 555 555 5555', reason: expect.any(String) } } });
  });

  it('when a lead has only a phone that is not valid, then it is refused with 400 naming phone, and nothing is written', async () => {
    const before = await totalRows();
    const response = await postJson(`${app.url}/api/leads`, { name: 'Only Phone', phone: '+4910000000000000' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'phone', message: expect.stringContaining('not a valid phone number') }]);
    expect(await totalRows()).toEqual(before);
  });
});

describe('idempotency', () => {
  it('when one Idempotency-Key is sent 10 times at once, then one lead is made: one 201 and nine 200 duplicates with the same id', async () => {
    const before = await totalRows();
    const body = { name: 'Same Key', email: 'same@example.com', message: 'only once please' };
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => postJson(`${app.url}/api/leads`, body, { 'idempotency-key': 'order-7f3a-retry' })),
    );
    const created = responses.filter((r) => r.status === 201);
    const duplicates = responses.filter((r) => r.status === 200);
    expect(created).toHaveLength(1);
    expect(duplicates).toHaveLength(9);
    for (const duplicate of duplicates) expect(duplicate.body).toMatchObject({ id: created[0]!.body.id, duplicate: true });
    const after = await totalRows();
    expect(after['conversations']).toBe(before['conversations']! + 1);
    expect(after['events']).toBe(before['events']! + 1);
    expect(after['timeline']).toBe(before['timeline']! + 1);
  });

  it('when the key comes as the idempotency_key field, then a repeat is a duplicate too', async () => {
    const body = { name: 'Field Key', email: 'field@example.com', message: 'hi there', idempotency_key: 'field-key-1' };
    const first = await postJson(`${app.url}/api/submit-contact`, body);
    const second = await postJson(`${app.url}/api/submit-contact`, body);
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
  });

  it('when a key is reused with a different body, then 422 problem+json naming the key and nothing is written', async () => {
    const key = { 'idempotency-key': 'order-422-check' };
    const first = await postJson(`${app.url}/api/leads`, { name: 'First Body', email: 'first-body@example.com' }, key);
    expect(first.status).toBe(201);
    const before = await totalRows();
    const reused = await postJson(`${app.url}/api/leads`, { name: 'Other Body', email: 'other-body@example.com' }, key);
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reused.body).toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
      errors: [{ path: 'Idempotency-Key', message: expect.any(String) }],
    });
    expect(await totalRows()).toEqual(before);
    // The same body again is still the retry it always was.
    const retried = await postJson(`${app.url}/api/leads`, { name: 'First Body', email: 'FIRST-BODY@example.com' }, key);
    expect(retried).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
  });

  it('when the same key is used on another route, then it is another lead (keys are scoped to their route)', async () => {
    const key = { 'idempotency-key': 'shared-across-routes' };
    const contact = await postJson(
      `${app.url}/api/submit-contact`,
      { name: 'Scoped', email: 'scoped@example.com', message: 'contact form' },
      key,
    );
    const direct = await postJson(`${app.url}/api/leads`, { name: 'Scoped', email: 'scoped@example.com', message: 'contact form' }, key);
    expect(contact.status).toBe(201);
    expect(direct.status).toBe(201);
    expect(direct.body.id).not.toBe(contact.body.id);
  });

  it('when the same body is posted twice without a key, then the second is a double submit', async () => {
    const body = { name: 'Double Click', email: 'double@example.com', message: 'clicked twice' };
    const first = await postJson(`${app.url}/api/submit-contact`, body);
    const second = await postJson(`${app.url}/api/submit-contact`, body);
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });
    const changed = await postJson(`${app.url}/api/submit-contact`, { ...body, message: 'a different question' });
    expect(changed.status).toBe(201);
  });
});

describe('HTML forms', () => {
  it('when a plain form posts urlencoded fields, then the lead is stored and the browser is redirected to an allowed page', async () => {
    const form = new URLSearchParams({
      name: 'Form User',
      email: 'form@example.com',
      message: 'from a plain form',
      consent: 'on',
      'metadata[utm_source]': 'newsletter',
    });
    const response = await fetch(`${app.url}/api/submit-contact?redirect=${encodeURIComponent('https://shop.example/thanks')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://shop.example/thanks');
    const { rows } = await db.pool.query("SELECT consent, metadata, created_at FROM conversations WHERE email = 'form@example.com'");
    expect(rows[0]).toEqual({
      consent: {
        given: true,
        version: null,
        text: null,
        page: null,
        given_at: rows[0].created_at.toISOString(),
        source: 'contact-form',
      },
      metadata: { utm_source: 'newsletter' },
      created_at: expect.any(Date),
    });
  });

  it('when a form sends a consent record, then its version and wording are kept with the time and the page it was posted from', async () => {
    const form = new URLSearchParams({
      name: 'Consent Record',
      email: 'consent-record@example.com',
      message: 'keep my consent',
      'consent[given]': 'on',
      'consent[version]': 'privacy-2026-03',
      'consent[text]': 'I agree to be contacted about my request.',
    });
    const response = await fetch(`${app.url}/api/submit-contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'https://shop.example/contact?email=x@example.com#form' },
      body: form,
    });
    expect(response.status).toBe(201);
    const { rows } = await db.pool.query("SELECT consent FROM conversations WHERE email = 'consent-record@example.com'");
    expect(rows[0].consent).toEqual({
      given: true,
      version: 'privacy-2026-03',
      text: 'I agree to be contacted about my request.',
      // The Referer's query and fragment may carry personal data: only origin and path are kept.
      page: 'https://shop.example/contact',
      given_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      source: 'contact-form',
    });
  });

  it('when the redirect points at another origin, then the form is refused with 400 naming redirect', async () => {
    const response = await fetch(`${app.url}/api/submit-contact?redirect=${encodeURIComponent('https://evil.example/')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'X', email: 'x@example.com', message: 'hi' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([{ path: 'redirect', message: expect.any(String) }]);
  });

  it('when a browser preflights from an allowed origin, then CORS allows it; from another origin, it does not', async () => {
    const allowed = await fetch(`${app.url}/api/leads`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const other = await fetch(`${app.url}/api/leads`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
