import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, TEST_ADMIN_KEY, waitFor } from '../helpers/start-test-leadline.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stubs/start-webhook-receiver.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/admin-panel.png';
const XSS_NAME = '<img src=x onerror=alert(1)>';

let db: TestDatabase;
let app: Leadline & { url: string };
let receiver: WebhookReceiver;
let browser: Browser;
let page: Page;
const pageProblems: string[] = [];
const dialogs: string[] = [];
/** Every request the panel pages make, to check that the admin key never rides in a URL. */
const requests: Request[] = [];

function watch(target: Page): void {
  target.on('request', (request) => requests.push(request));
}

function urlsWithKey(): string[] {
  return requests.map((request) => request.url()).filter((url) => /[?&]key=/.test(url) || url.includes(TEST_ADMIN_KEY));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the chromium package (the tests never download a browser)`);
  db = await createTestDatabase('admin_panel');
  receiver = await startWebhookReceiver();
  app = await startTestLeadline(db.url, {
    RATE_LIMIT_PER_MINUTE: '100000',
    OUTBOUND_WEBHOOKS: `crm=${receiver.urlFor('crm')}`,
    OUTBOUND_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
    OUTBOUND_ALLOW_PRIVATE: 'true',
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  watch(page);
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageProblems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await receiver?.close();
  await db?.drop();
});

/** A lead past its deadline, unanswered and flagged breached: what the SLA monitor would leave behind. */
async function insertBreachedLead(name: string): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    /* sql */ `INSERT INTO conversations (source, name, email, quality, idempotency_key, created_at, sla_response_deadline, sla_warning_at, sla_breached, sla_breached_at)
     VALUES ('contact-form', $1, 'olga@example.com', 'hot', $2, now() - interval '40 minutes', now() - interval '25 minutes', now() - interval '30 minutes', true, now() - interval '25 minutes')
     RETURNING id`,
    [name, `seed:${randomUUID()}`],
  );
  return rows[0]!.id;
}

describe('admin panel in a real browser', () => {
  it('when the key is entered, then live leads appear without reload, open with their timeline, the SLA banner shows breaches, and names render as text', async () => {
    const breachedId = await insertBreachedLead('Overdue Olga');
    await page.goto(`${app.url}/admin`);

    // Sign in with the admin key.
    await page.locator('#admin-key').fill(TEST_ADMIN_KEY);
    await page.locator('#login-submit').click();
    await page.locator('#app').waitFor({ state: 'visible' });
    expect(await page.evaluate(() => sessionStorage.getItem('leadline.adminKey'))).toBe(TEST_ADMIN_KEY);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 15_000 });
    await page.locator(`#leads-body tr[data-id="${breachedId}"]`).waitFor();

    // The SLA banner, fed by GET /api/admin/sla.
    const sla = await fetch(`${app.url}/api/admin/sla`, { headers: adminHeaders() });
    expect(sla.status).toBe(200);
    expect(((await sla.json()) as { leads: { id: string }[] }).leads.map((lead) => lead.id)).toContain(breachedId);
    const banner = page.locator('#sla-banner');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.getAttribute('data-level')).toBe('breached');
    const item = banner.locator(`.sla-item[data-id="${breachedId}"]`);
    expect(await item.locator('.sla-name').textContent()).toBe('Overdue Olga');
    expect(await item.locator('.sla-when').textContent()).toMatch(/^\d+ min overdue$/);
    // The banner and the stat cards are drawn by the same refresh, so they agree.
    expect(await page.locator('[data-stat="Overdue"] .stat-value').textContent()).toBe('1');
    expect(await page.locator(`#leads-body tr[data-id="${breachedId}"] .sla`).getAttribute('data-state')).toBe('breached');

    // A lead posted through the API shows up live (SSE), without a reload.
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const totalNote = page.locator('[data-stat="Today"] .stat-note');
    const { rows: counted } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM conversations');
    await totalNote.filter({ hasText: `${counted[0]!.n} in total` }).waitFor();
    const live = await postJson(`${app.url}/api/leads`, {
      name: 'Live Lucy',
      email: 'lucy@example.com',
      message: 'Can you quote a kitchen refit?',
      service_type: 'quote',
      consent: { given: true, version: 'privacy-2026-03', page: 'https://shop.example/kitchen' },
    });
    expect(live.status).toBe(201);
    const row = page.locator(`#leads-body tr[data-id="${live.body.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.lead-name').textContent()).toBe('Live Lucy');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The stat cards are drawn in the same step as the table: the moment the row is there, so is its count.
    expect(await totalNote.textContent()).toBe(`${counted[0]!.n + 1} in total`);
    expect(await row.locator('.sla').getAttribute('data-state')).toBe('open');

    // A hostile name is shown as the characters it is, never as markup.
    const hostile = await postJson(`${app.url}/api/leads`, { name: XSS_NAME, email: 'mallory@example.com', message: '<b>bold?</b>' });
    expect(hostile.status).toBe(201);
    const hostileRow = page.locator(`#leads-body tr[data-id="${hostile.body.id}"]`);
    await hostileRow.waitFor({ timeout: 10_000 });
    expect(await hostileRow.locator('.lead-name').textContent()).toBe(XSS_NAME);
    expect(await hostileRow.locator('.lead-preview').textContent()).toBe('<b>bold?</b>');
    expect(await page.locator('#leads-body img, #leads-body b').count()).toBe(0);

    // Open the live lead: its detail and timeline.
    await row.click();
    await page.waitForURL(`**/admin#/leads/${live.body.id}`);
    const detail = page.locator('#detail');
    await detail.locator('#detail-name').filter({ hasText: 'Live Lucy' }).waitFor();
    await detail.locator('#timeline li[data-event-type="lead.created"]').waitFor();
    // The log channel delivers in this Leadline; the open detail refreshes itself from the stream.
    await detail.locator('.chip[data-channel="log"][data-status="sent"]').waitFor({ timeout: 15_000 });
    expect(await detail.locator('.reasons li').count()).toBeGreaterThan(0);
    // The consent the lead gave, as a record: given, which wording, where.
    const consent = detail.locator('#consent');
    expect(await consent.getAttribute('data-given')).toBe('true');
    expect(await consent.textContent()).toContain('privacy-2026-03');
    expect(await consent.textContent()).toContain('https://shop.example/kitchen');

    // Respond and status buttons.
    const respond = detail.locator('#respond');
    await respond.click();
    await waitFor(
      'the lead to be answered',
      async () => (await respond.textContent()) === 'Answered' || dialogs.length > 0 || pageProblems.length > 0,
      10_000,
    );
    expect(await detail.locator('#status-select').inputValue()).toBe('contacted');
    await detail.locator('#timeline li[data-event-type="lead.responded"]').waitFor({ timeout: 10_000 });

    // Open the hostile lead too: still text in the detail view.
    await hostileRow.click();
    await detail.locator('#detail-name').filter({ hasText: XSS_NAME }).waitFor();
    expect(await detail.locator('img, b').count()).toBe(0);

    // Back to the lead we looked at, for the screenshot.
    await row.click();
    await detail.locator('#detail-name').filter({ hasText: 'Live Lucy' }).waitFor();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Live updates came over fetch with the key in the Authorization header, and no URL ever held the key.
    const streams = requests.filter((request) => new URL(request.url()).pathname === '/api/admin/stream');
    expect(streams.length).toBeGreaterThan(0);
    for (const request of streams) expect((await request.allHeaders())['authorization']).toBe(`Bearer ${TEST_ADMIN_KEY}`);
    expect(urlsWithKey()).toEqual([]);

    // And the server refuses the key in a URL, even the right one.
    const keyInUrl = await fetch(`${app.url}/api/admin/stream?key=${encodeURIComponent(TEST_ADMIN_KEY)}`);
    expect(keyInUrl.status).toBe(401);
    await keyInUrl.arrayBuffer();

    expect(dialogs).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  it('when filters and search are used, then the table shows only matching leads', async () => {
    await page.locator('#filter-q').fill('lucy@');
    await waitFor('the search result', async () => (await page.locator('#leads-body tr').count()) === 1);
    expect(await page.locator('#leads-body .lead-name').first().textContent()).toBe('Live Lucy');
    await page.locator('#filter-clear').click();
    await page.locator('#filter-quality').selectOption('hot');
    await waitFor('the hot leads', async () => {
      const names = await page.locator('#leads-body .lead-name').allTextContents();
      return names.includes('Overdue Olga') && !names.includes('Live Lucy');
    });
    await page.locator('#filter-clear').click();
  });

  it('when the dead letters view is opened, then a dead delivery is listed with a retry button', async () => {
    const { rows } = await db.pool.query<{ id: string; conversation_id: string }>(
      `SELECT e.id, e.conversation_id FROM lead_events e JOIN conversations c ON c.id = e.conversation_id WHERE c.name = 'Live Lucy' AND e.event_type = 'lead.created'`,
    );
    const event = rows[0]!;
    const { rows: dead } = await db.pool.query<{ id: string }>(
      `INSERT INTO notification_logs (event_id, conversation_id, channel, status, attempt, error_kind, error_message, finished_at)
       VALUES ($1, $2, 'slack', 'dead', 5, 'permanent', 'channel_not_found', now()) RETURNING id`,
      [event.id, event.conversation_id],
    );
    await page.locator('#tab-failed').click();
    const deadRow = page.locator(`#failed-deliveries tr[data-id="delivery-${dead[0]!.id}"]`);
    await deadRow.waitFor();
    expect(await deadRow.textContent()).toContain('channel_not_found');
    expect(await deadRow.locator('button').textContent()).toBe('Retry');
    await page.locator('#tab-leads').click();
  });

  it('when a webhook receiver answered 410, then the Webhooks view shows the endpoint disabled, and Enable sends what it held', async () => {
    receiver.script('crm', { status: 410 });
    const created = await postJson(`${app.url}/api/leads`, { name: 'Gone Gina', email: 'gina@example.com' });
    expect(created.status).toBe(201);
    await waitFor('the endpoint disabled', async () => {
      const { rows } = await db.pool.query(`SELECT 1 FROM webhook_endpoints WHERE channel = 'webhook:crm' AND disabled_at IS NOT NULL`);
      return rows.length === 1;
    });

    await page.locator('#tab-webhooks').click();
    const row = page.locator('#webhook-endpoints tr[data-endpoint="crm"][data-state="disabled"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('410 Gone, 1 held');
    expect(await row.textContent()).not.toContain('catch-');
    await row.locator('button', { hasText: 'Enable' }).click();
    await page.locator('#webhook-endpoints tr[data-endpoint="crm"][data-state="enabled"]').waitFor();
    await waitFor(
      'the held webhook sent',
      () => receiver.receivedBy('crm').filter((request) => request.rawBody.includes('Gone Gina')).length === 2,
    );
    await page.locator('#tab-leads').click();
  });

  it('when an agent is added and edited on the Team page, then the list shows it and the speed-to-lead table is drawn', async () => {
    await page.locator('#tab-team').click();
    const form = page.locator('#agent-form');
    await form.locator('input[name="name"]').fill('Panel Agent');
    await form.locator('input[name="email"]').fill('panel.agent@team.test');
    await form.locator('input[name="sources"]').fill('api, meta');
    await form.locator('#agent-submit').click();
    const row = page.locator('#team-agents tr', { hasText: 'Panel Agent' });
    await row.waitFor();
    expect(await row.textContent()).toContain('api, meta');
    expect(await row.getAttribute('data-active')).toBe('true');

    await row.locator('button', { hasText: 'Edit' }).click();
    await form.locator('select[name="role"]').selectOption('manager');
    await form.locator('input[name="active"]').uncheck();
    await form.locator('#agent-submit').click();
    await page.locator('#team-agents tr[data-active="false"]', { hasText: 'Panel Agent' }).waitFor();
    const { rows } = await db.pool.query(`SELECT role, active, sources FROM agents WHERE name = 'Panel Agent'`);
    expect(rows).toEqual([{ role: 'manager', active: false, sources: ['api', 'meta'] }]);
    expect(await page.locator('#team-speed tbody tr').first().textContent()).toContain('Everyone');
    await page.locator('#tab-leads').click();
  });

  it('when Supabase is configured but nobody signed in to Supabase Auth, then the panel loads supabase-js, offers the sign-in and stays live over SSE', async () => {
    // A second Leadline on the same database, configured for Supabase Realtime. A loopback URL: with no
    // session, supabase-js must not connect anywhere.
    const supabaseMode = await startTestLeadline(db.url, {
      ROLE: 'api',
      SUPABASE_URL: 'http://127.0.0.1:9',
      SUPABASE_ANON_KEY: 'anon-public-key',
    });
    const other = await browser.newPage();
    watch(other);
    const problems: string[] = [];
    other.on('pageerror', (error) => problems.push(error.message));
    other.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    try {
      await other.goto(`${supabaseMode.url}/admin`);
      await other.locator('#admin-key').fill(TEST_ADMIN_KEY);
      await other.locator('#login-submit').click();
      await other.locator('#supabase-signin').waitFor({ state: 'visible' });
      expect(
        await other.evaluate(() => typeof (window as unknown as { supabase?: { createClient?: unknown } }).supabase?.createClient),
      ).toBe('function');
      await other.locator('#live[data-state="live"]').waitFor({ timeout: 15_000 });
      const lead = await postJson(`${app.url}/api/leads`, { name: 'Realtime Fallback Fay', email: 'fay@example.com' });
      await other.locator(`#leads-body tr[data-id="${lead.body.id}"]`).waitFor({ timeout: 10_000 });
      expect(problems).toEqual([]);
      expect(urlsWithKey()).toEqual([]);
    } finally {
      await other.close();
      await supabaseMode.stop();
    }
  });

  it('when the wrong key is entered, then the panel says so and stays locked', async () => {
    const other = await browser.newPage();
    try {
      await other.goto(`${app.url}/admin`);
      await other.locator('#admin-key').fill('not-the-right-key-000');
      await other.locator('#login-submit').click();
      await other.locator('#login-error').filter({ hasText: 'not accepted' }).waitFor();
      expect(await other.locator('#app').isHidden()).toBe(true);
    } finally {
      await other.close();
    }
  });
});
