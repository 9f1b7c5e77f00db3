import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbedScript } from '../../src/embed/embed-routes.ts';
import type { Leadline } from '../../src/main.ts';
import { startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import {
  launchEmbedBrowser,
  pendingSubmissions,
  startHostSite,
  submittedEvents,
  type EmbedBrowser,
  type HostSite,
} from './embed-harness.ts';

/**
 * The embed's budget: what a visitor downloads (gzip), measured on the real bundle. The README states the
 * figure; this bound keeps it honest (raise it deliberately, and update the README, if the embed grows).
 */
const GZIP_BUDGET_BYTES = 8 * 1024;

let db: TestDatabase;
let app: Leadline & { url: string };
let site: HostSite;
let chromium: EmbedBrowser;

beforeAll(async () => {
  db = await createTestDatabase('embed');
  site = await startHostSite({
    '/contact': { form: 'contact', title: 'Write to us', button: 'Send message', success: 'Thanks, Ada! We will call you back.' },
    '/consent': { form: 'contact', consent: 'I agree that you may contact me about my request.', 'consent-required': '' },
    '/loft-12': { form: 'inquiry', 'property-id': 'loft-12', 'property-title': 'Loft on Quay Street', theme: 'dark' },
    '/chat': { form: 'chat', greeting: 'Hello! What are you looking for?' },
  });
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000', CORS_ORIGINS: site.origin });
  site.setLeadlineUrl(app.url);
  chromium = await launchEmbedBrowser();
});
afterAll(async () => {
  await chromium?.close();
  await app?.stop();
  await site?.close();
  await db?.drop();
});

async function leadsNamed(name: string) {
  const { rows } = await db.pool.query(`SELECT * FROM conversations WHERE name = $1`, [name]);
  return rows;
}

/** GET over node:http, so the body is the bytes on the wire (fetch would decompress them). */
function getRaw(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, app.url);
    request({ host: url.hostname, port: url.port, path: url.pathname, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('GET /embed.js', () => {
  it('when a browser asks for the script, then it gets it gzipped, cacheable for a day with a content-hash ETag, loadable cross-origin, and a repeat with the ETag is a 304', async () => {
    const gzipped = await getRaw('/embed.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['cache-control']).toBe('public, max-age=86400, stale-while-revalidate=604800');
    expect(gzipped.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(gzipped.headers['vary']).toContain('Accept-Encoding');
    const etag = String(gzipped.headers['etag']);
    expect(etag).toMatch(/^"[\w-]{20,}"$/);

    const plain = await getRaw('/embed.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gunzipSync(gzipped.body).toString('utf8')).toBe(plain.body.toString('utf8'));
    expect(plain.headers['etag']).not.toBe(etag);
    expect(plain.body.toString('utf8')).toBe(buildEmbedScript().code);

    const revalidated = await getRaw('/embed.js', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);

    console.info(`embed.js: ${plain.body.length} bytes minified, ${gzipped.body.length} bytes gzipped`);
    expect(gzipped.body.length).toBeLessThan(GZIP_BUDGET_BYTES);
  });
});

describe('the website embed in a real browser, on another origin', () => {
  it('when a visitor fills in the contact form with the keyboard, then it renders in a shadow root untouched by the site CSS, one lead is stored with the page URL and UTM in metadata, leadline:submitted fires and nothing stays in localStorage', async () => {
    const visitor = await chromium.newVisitor();
    const page = await visitor.open(`${site.origin}/contact?utm_source=newsletter&utm_medium=email&utm_campaign=spring`);
    const form = page.locator('leadline-embed form');
    await form.waitFor();
    expect(await page.evaluate(() => document.querySelector('leadline-embed')?.shadowRoot !== null)).toBe(true);
    expect(await page.locator('leadline-embed h2').textContent()).toBe('Write to us');
    // The site's `input { display: none !important; color: #f0f; font-size: 40px }` does not reach in.
    const name = page.getByLabel('Name');
    expect(await name.isVisible()).toBe(true);
    const style = await name.evaluate((element) => {
      const computed = getComputedStyle(element);
      return { color: computed.color, fontSize: computed.fontSize };
    });
    expect(style).toEqual({ color: 'rgb(17, 24, 39)', fontSize: '16px' });

    // Keyboard only: type, Tab to the next field, Enter on the button.
    await name.focus();
    await page.keyboard.type('Ada Lovelace');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ada@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.querySelector('leadline-embed')?.shadowRoot?.activeElement?.getAttribute('name'))).toBe(
      'message',
    );
    await page.keyboard.type('Could you call me about the analytical engine?');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    const note = page.locator('leadline-embed .note[tabindex="-1"]');
    await note.filter({ hasText: 'Thanks, Ada! We will call you back.' }).waitFor();
    expect(await page.evaluate(() => document.querySelector('leadline-embed')?.shadowRoot?.activeElement?.className)).toBe('note');
    const events = await submittedEvents(page);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({ id: expect.any(String), form: 'contact', delayed: false });

    const leads = await leadsNamed('Ada Lovelace');
    expect(leads).toHaveLength(1);
    const lead = leads[0];
    expect(lead.id).toBe(events[0]!.id);
    expect(lead.source).toBe('contact-form');
    expect(lead.email).toBe('ada@example.com');
    expect(lead.idempotency_key).toMatch(/^client:contact-form:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(lead.metadata).toEqual({
      page_url: `${site.origin}/contact?utm_source=newsletter&utm_medium=email&utm_campaign=spring`,
      via: 'embed',
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'spring',
    });
    expect(await pendingSubmissions(page)).toEqual([]);
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });

  it('when the visitor leaves required fields empty, then the errors show beside them and nothing is sent; when the server refuses a field, then its message shows beside that field, focus goes there, and nothing is stored', async () => {
    const visitor = await chromium.newVisitor();
    visitor.expectNetworkErrors([400]);
    const page = await visitor.open(`${site.origin}/contact`);
    const captures: string[] = [];
    page.on('request', (sent) => {
      if (sent.url().includes('/api/')) captures.push(`${sent.method()} ${new URL(sent.url()).pathname}`);
    });
    await page.getByRole('button', { name: 'Send message' }).click();
    const nameError = page.locator('leadline-embed #leadline-name-error');
    await nameError.filter({ hasText: 'Please enter your name.' }).waitFor();
    expect(await page.locator('leadline-embed #leadline-email-error').textContent()).toBe(
      'Please give an email address or a phone number.',
    );
    expect(await page.locator('leadline-embed #leadline-message-error').textContent()).toBe('Please write a message.');
    expect(await page.locator('leadline-embed [role="alert"]').textContent()).toBe('Please check the 3 marked fields.');
    expect(await page.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect(captures).toEqual([]);

    // An address the browser takes but the server does not: the server's field error lands beside the field.
    await page.getByLabel('Name').fill('Invalid Ivan');
    await page.getByLabel('Email').fill('ivan@@example');
    await page.getByLabel('Message').fill('Hello');
    await page.getByRole('button', { name: 'Send message' }).click();
    const emailError = page.locator('leadline-embed #leadline-email-error');
    await emailError.filter({ hasText: 'Email is not a valid email address.' }).waitFor();
    expect(await nameError.textContent()).toBe('');
    expect(await page.getByLabel('Name').getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Email').getAttribute('aria-describedby')).toContain('leadline-email-error');
    expect(await page.evaluate(() => document.querySelector('leadline-embed')?.shadowRoot?.activeElement?.getAttribute('name'))).toBe(
      'email',
    );
    expect(await page.locator('leadline-embed [role="alert"]').textContent()).toBe('Please check the marked field.');
    expect(captures).toEqual(['POST /api/submit-contact']);
    expect(await pendingSubmissions(page)).toEqual([]);
    expect(await leadsNamed('Invalid Ivan')).toEqual([]);
    expect(await submittedEvents(page)).toEqual([]);
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });

  it('when the site asks for consent, then a required checkbox is shown and the answer is stored as the lead’s consent', async () => {
    const visitor = await chromium.newVisitor();
    const page = await visitor.open(`${site.origin}/consent`);
    await page.getByLabel('Name').fill('Consenting Carla');
    await page.getByLabel('Phone').fill('+44 20 7946 0958');
    await page.getByLabel('Message').fill('Please call me');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('leadline-embed #leadline-consent-error').filter({ hasText: 'Please tick this box to continue.' }).waitFor();
    await page.getByLabel('I agree that you may contact me about my request.').check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('leadline-embed .note').filter({ hasText: 'Thank you!' }).waitFor();
    const [lead] = await leadsNamed('Consenting Carla');
    expect(lead.consent).toMatchObject({
      given: true,
      text: 'I agree that you may contact me about my request.',
      page: `${site.origin}/consent`,
      source: 'contact-form',
    });
    expect(lead.phone).toBe('+442079460958');
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });

  it('when a property page carries the inquiry form, then the lead names the property', async () => {
    const visitor = await chromium.newVisitor();
    const page = await visitor.open(`${site.origin}/loft-12`);
    expect(await page.locator('leadline-embed').getAttribute('data-theme')).toBe('dark');
    expect(await page.locator('leadline-embed h2').textContent()).toBe('Ask about this property');
    await page.getByLabel('Name').fill('Inquiring Ines');
    await page.getByLabel('Email').fill('ines@example.com');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('leadline-embed .note').filter({ hasText: 'Thank you!' }).waitFor();
    const [lead] = await leadsNamed('Inquiring Ines');
    expect(lead).toMatchObject({ source: 'property-inquiry', property_id: 'loft-12', property_title: 'Loft on Quay Street' });
    expect((await submittedEvents(page))[0]).toMatchObject({ id: lead.id, form: 'inquiry' });
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });

  it('when a visitor chats, then the embed asks for an email or phone and stores a chatbot lead with the transcript', async () => {
    const visitor = await chromium.newVisitor();
    const page = await visitor.open(`${site.origin}/chat?utm_source=ads`);
    const log = page.locator('leadline-embed [role="log"] li');
    await log.first().filter({ hasText: 'Hello! What are you looking for?' }).waitFor();
    await page.getByLabel('Your message').fill('A two-bedroom flat near the river');
    await page.getByLabel('Your message').press('Enter');
    await log.nth(2).filter({ hasText: 'How can we reach you?' }).waitFor();
    expect(await page.getByLabel('Your message').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.querySelector('leadline-embed')?.shadowRoot?.activeElement?.getAttribute('name'))).toBe(
      'email',
    );
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .locator('leadline-embed #leadline-email-error')
      .filter({ hasText: 'Please give an email address or a phone number.' })
      .waitFor();
    await page.getByLabel('Name (optional)').fill('Chatty Chloe');
    await page.getByLabel('Email').fill('Chloe@Example.com');
    await page.getByLabel('Email').press('Enter');
    await log.nth(3).filter({ hasText: 'Thank you!' }).waitFor();

    const [lead] = await leadsNamed('Chatty Chloe');
    expect(lead).toMatchObject({ source: 'chatbot', email: 'chloe@example.com', message: 'A two-bedroom flat near the river' });
    expect(lead.metadata).toMatchObject({ utm_source: 'ads', page_url: `${site.origin}/chat?utm_source=ads` });
    const { rows: transcript } = await db.pool.query(
      `SELECT role, content FROM chat_messages WHERE conversation_id = $1 ORDER BY position`,
      [lead.id],
    );
    expect(transcript).toEqual([
      { role: 'bot', content: 'Hello! What are you looking for?' },
      { role: 'user', content: 'A two-bedroom flat near the river' },
      { role: 'bot', content: expect.stringContaining('How can we reach you?') },
    ]);
    expect((await submittedEvents(page))[0]).toEqual({ id: lead.id, form: 'chat', delayed: false });
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });

  it('when the visitor lands with UTM parameters and writes from another page of the visit, then the lead keeps the landing UTM', async () => {
    const visitor = await chromium.newVisitor();
    const landing = await visitor.open(`${site.origin}/chat?utm_source=partner&utm_campaign=autumn`);
    await landing.locator('leadline-embed form').waitFor();
    await landing.goto(`${site.origin}/contact`);
    await landing.getByLabel('Name').fill('Returning Rita');
    await landing.getByLabel('Email').fill('rita@example.com');
    await landing.getByLabel('Message').fill('Hello again');
    await landing.getByRole('button', { name: 'Send message' }).click();
    await waitFor('the lead', async () => (await leadsNamed('Returning Rita')).length === 1);
    const [lead] = await leadsNamed('Returning Rita');
    expect(lead.metadata).toMatchObject({ page_url: `${site.origin}/contact`, utm_source: 'partner', utm_campaign: 'autumn' });
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });
});
