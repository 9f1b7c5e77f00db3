import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { startTestLeadline } from '../helpers/start-test-leadline.ts';

const CHROMIUM = '/usr/bin/chromium';

let db: TestDatabase;
let app: Leadline & { url: string };
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the chromium package (the tests never download a browser)`);
  db = await createTestDatabase('api_docs');
  app = await startTestLeadline(db.url);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await db?.drop();
});

describe('/docs in a real browser', () => {
  it('when /docs is opened, then Swagger UI renders the operations from /openapi.json under the strict CSP, with no request beyond the service', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });

    const response = await page.goto(`${app.url}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock-summary-path', { hasText: '/api/admin/leads/{id}/export' }).first().waitFor({ timeout: 15_000 });

    const paths = await page.locator('.opblock-summary-path').allTextContents();
    for (const path of [
      '/api/leads',
      '/api/webhooks/{source}',
      '/embed.js',
      '/api/admin/leads',
      '/health/ready',
      '/metrics',
      '/openapi.json',
    ]) {
      expect(paths.map((text) => text.replace(/\u200b/g, ''))).toContain(path);
    }
    expect(await page.locator('.opblock-tag').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Capture')]));
    expect(await page.locator('.info .title').first().textContent()).toContain('Leadline');

    const elsewhere = requests.filter((url) => !url.startsWith(app.url) && !url.startsWith('data:'));
    expect(elsewhere).toEqual([]);
    expect(requests).toContain(`${app.url}/openapi.json`);
    expect(problems).toEqual([]);
    await page.close();
  });
});
