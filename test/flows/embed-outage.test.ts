/**
 * The embed through a database outage. With the spool off the service answers 503 and the browser keeps
 * the submission and sends it again, with the same Idempotency-Key, until it is acknowledged; with the
 * spool on, the 202 is that acknowledgement. The database is taken away by cutting a proxy between
 * Leadline and this file's own database; the shared test server is never touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import {
  launchEmbedBrowser,
  pendingSubmissions,
  startHostSite,
  startSwitchableProxy,
  submittedEvents,
  type EmbedBrowser,
  type HostSite,
  type SwitchableProxy,
} from './embed-harness.ts';

/** What the visitor reads (src/embed/browser/submit-lead.ts). */
const WAITING_SAVED = 'Your message is saved in this browser and will be sent automatically';
const EARLIER_WAITING = 'A message you sent earlier is saved in this browser';
const EARLIER_SENT = 'Your earlier message has now been sent.';

let db: TestDatabase;
let proxy: SwitchableProxy;
let app: Leadline & { url: string };
let site: HostSite;
let chromium: EmbedBrowser;

beforeAll(async () => {
  db = await createTestDatabase('embed_outage');
  proxy = await startSwitchableProxy(db.url);
  site = await startHostSite({
    '/contact': { form: 'contact' },
    '/chat': { form: 'chat' },
    '/two-embeds': [{ form: 'chat' }, { form: 'contact', title: 'Or write to us' }],
  });
  app = await startTestLeadline(proxy.urlFor(db.url), {
    RATE_LIMIT_PER_MINUTE: '100000',
    CORS_ORIGINS: site.origin,
    SPOOL_DIR: 'off',
    DATABASE_TIMEOUT: '1s',
  });
  site.setLeadlineUrl(app.url);
  chromium = await launchEmbedBrowser();
});
afterAll(async () => {
  proxy?.comeBack();
  await chromium?.close();
  await app?.stop();
  await proxy?.close();
  await site?.close();
  await db?.drop();
});

/** Takes the database away and waits until capture says so (503 with Retry-After). */
async function stopDatabase(): Promise<void> {
  proxy.goDown();
  await waitFor('capture to answer 503', async () => {
    const response = await fetch(`${app.url}/api/submit-contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Probe', email: 'probe@example.com', message: 'probe' }),
    });
    await response.arrayBuffer();
    return response.status === 503 && response.headers.get('retry-after') !== null;
  });
}

async function startDatabase(): Promise<void> {
  proxy.comeBack();
  await waitFor('the database to answer through Leadline', async () => {
    const response = await fetch(`${app.url}/health/db`);
    await response.arrayBuffer();
    return response.status === 200;
  });
}

async function leadsNamed(name: string) {
  const { rows } = await db.pool.query(`SELECT id, idempotency_key FROM conversations WHERE name = $1`, [name]);
  return rows as { id: string; idempotency_key: string }[];
}

async function fillContactForm(page: Page, name: string, email: string): Promise<void> {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Message').fill('Please call me back about a quote');
  await page.getByRole('button', { name: 'Send' }).click();
}

/** Resolves with the status of the next capture POST the page makes. */
function nextCaptureStatus(page: Page): Promise<number> {
  return page
    .waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname.startsWith('/api/'))
    .then((response) => response.status());
}

describe('the website embed while the database is down and the spool is off', () => {
  it('when a visitor submits during the outage, then the submission stays in localStorage (also across a reload); after the database is back a later page load sends it, exactly one lead exists and localStorage is empty', async () => {
    await stopDatabase();
    const visitor = await chromium.newVisitor();
    visitor.expectNetworkErrors([503]);

    const page = await visitor.open(`${site.origin}/contact?utm_source=outage`);
    const refused = nextCaptureStatus(page);
    await fillContactForm(page, 'Patient Pat', 'pat@example.com');
    expect(await refused).toBe(503);
    await page.locator('leadline-embed .note').filter({ hasText: WAITING_SAVED }).waitFor();
    const kept = await pendingSubmissions(page);
    expect(kept).toHaveLength(1);
    const key = kept[0]!.key;
    expect(kept[0]!.body).toMatchObject({ name: 'Patient Pat', email: 'pat@example.com', metadata: { utm_source: 'outage' } });

    // The visitor reloads while the database is still away: the page tries again at once, still 503, and
    // says the earlier message is saved; the form is there for something new.
    const retried = nextCaptureStatus(page);
    await page.reload();
    expect(await retried).toBe(503);
    await page.locator('leadline-embed p.note').filter({ hasText: EARLIER_WAITING }).waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe('');
    expect((await pendingSubmissions(page)).map((submission) => submission.key)).toEqual([key]);
    await page.close();
    expect(await leadsNamed('Patient Pat')).toEqual([]);

    await startDatabase();
    // Nothing is open: the lead waits in the visitor's browser until they come back.
    expect(await leadsNamed('Patient Pat')).toEqual([]);

    // They come back later, to another page of the site, one with two embeds (they share one outbox, so
    // the kept submission is sent once).
    const sent: string[] = [];
    visitor.context.on('request', (request) => {
      if (request.method() === 'POST') sent.push(request.headers()['idempotency-key'] ?? 'none');
    });
    const later = await visitor.open(`${site.origin}/two-embeds`);
    await waitFor('the kept submission to be sent and forgotten', async () => (await pendingSubmissions(later)).length === 0);
    expect(await later.locator('leadline-embed').count()).toBe(2);
    expect(sent).toEqual([key]);
    const leads = await leadsNamed('Patient Pat');
    expect(leads).toHaveLength(1);
    expect(leads[0]!.idempotency_key).toBe(`client:contact-form:${key}`);
    expect(await submittedEvents(later)).toEqual([{ id: leads[0]!.id, form: 'contact', delayed: true }]);

    // And one more page load changes nothing.
    const again = await visitor.open(`${site.origin}/contact`);
    await again.locator('leadline-embed form').waitFor();
    expect(await again.locator('leadline-embed p.note').textContent()).toBe('');
    expect(await leadsNamed('Patient Pat')).toHaveLength(1);
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });

  it('when the database comes back while the page is still open, then the page sends the kept submission by itself, shows the success text and fires leadline:submitted', async () => {
    await stopDatabase();
    const visitor = await chromium.newVisitor();
    visitor.expectNetworkErrors([503]);
    const page = await visitor.open(`${site.origin}/contact`);
    await fillContactForm(page, 'Waiting Wanda', 'wanda@example.com');
    await page.locator('leadline-embed .note').filter({ hasText: WAITING_SAVED }).waitFor();
    const [kept] = await pendingSubmissions(page);

    await startDatabase();
    // The first retry waits out the 503's Retry-After (5 s), the next ones back off from there.
    await page.locator('leadline-embed .note').filter({ hasText: 'Thank you!' }).waitFor({ timeout: 30_000 });
    const leads = await leadsNamed('Waiting Wanda');
    expect(leads).toHaveLength(1);
    expect(leads[0]!.idempotency_key).toBe(`client:contact-form:${kept!.key}`);
    expect(await submittedEvents(page)).toEqual([{ id: leads[0]!.id, form: 'contact', delayed: true }]);
    expect(await pendingSubmissions(page)).toEqual([]);
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });

  it('when a visitor who reloaded during the outage keeps the page open, then it says so once the earlier message is sent', async () => {
    await stopDatabase();
    const visitor = await chromium.newVisitor();
    visitor.expectNetworkErrors([503]);
    const page = await visitor.open(`${site.origin}/contact`);
    await fillContactForm(page, 'Reloading Rob', 'rob@example.com');
    await page.locator('leadline-embed .note').filter({ hasText: WAITING_SAVED }).waitFor();
    await page.reload();
    const earlier = page.locator('leadline-embed p.note');
    await earlier.filter({ hasText: EARLIER_WAITING }).waitFor();

    await startDatabase();
    await earlier.filter({ hasText: EARLIER_SENT }).waitFor({ timeout: 30_000 });
    expect(await leadsNamed('Reloading Rob')).toHaveLength(1);
    expect(await pendingSubmissions(page)).toEqual([]);
    expect(visitor.problems()).toEqual([]);
    await visitor.context.close();
  });
});

describe('the website embed while the database is down and the spool is on', () => {
  it('when the spool takes the lead, then its answer (202) counts as acknowledged: the visitor sees the success text at once and nothing stays in the browser', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'leadline-embed-spool-'));
    const spooling = await startTestLeadline(proxy.urlFor(db.url), {
      RATE_LIMIT_PER_MINUTE: '100000',
      CORS_ORIGINS: site.origin,
      SPOOL_DIR: spoolDir,
      DATABASE_TIMEOUT: '1s',
    });
    try {
      // The host site's pages load the embed from this Leadline now.
      site.setLeadlineUrl(spooling.url);
      proxy.goDown();
      const visitor = await chromium.newVisitor();
      const page = await visitor.open(`${site.origin}/contact`);
      const answered = nextCaptureStatus(page);
      await fillContactForm(page, 'Spooled Sue', 'sue@example.com');
      expect(await answered).toBe(202);
      await page.locator('leadline-embed .note').filter({ hasText: 'Thank you!' }).waitFor();
      const [event] = await submittedEvents(page);
      expect(event).toEqual({ id: expect.any(String), form: 'contact', delayed: false });
      expect(await pendingSubmissions(page)).toEqual([]);

      await startDatabase();
      await spooling.flushSpool();
      const leads = await waitFor('the spooled lead to be stored', async () => {
        const found = await leadsNamed('Spooled Sue');
        return found.length > 0 ? found : undefined;
      });
      expect(leads.map((lead) => lead.id)).toEqual([event!.id]);
      expect(visitor.problems()).toEqual([]);
      await visitor.context.close();
    } finally {
      site.setLeadlineUrl(app.url);
      proxy.comeBack();
      await spooling.stop();
      await rm(spoolDir, { recursive: true, force: true });
    }
  });
});
