/**
 * Makes the README's picture of the admin panel: starts Leadline as `npm start` does (its own embedded
 * PostgreSQL in a temporary home, the log channel), captures a handful of sample leads, signs in to the panel
 * in Chromium and saves a screenshot. Run it after a change to the panel so the picture stays true:
 *
 *   npm run screenshot                        writes docs/images/admin-panel.png
 *   npm run screenshot -- --out /tmp/x.png    somewhere else
 *
 * Needs Debian's Chromium at /usr/bin/chromium (CHROMIUM_PATH to use another). Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 120_000;

const SAMPLE_LEADS: Array<{ route: string; body: Record<string, unknown> }> = [
  {
    route: '/api/leads',
    body: {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 7946 0958',
      urgency: 'emergency',
      service_type: 'boiler repair',
      message: 'Our boiler is leaking, please come today',
      source: 'google-ads',
    },
  },
  {
    route: '/api/chatbot/leads',
    body: {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      messages: [
        { role: 'bot', content: 'How can I help?' },
        { role: 'user', content: 'I would like a quote for solar panels on a terraced house' },
      ],
      metadata: { utm_source: 'newsletter' },
    },
  },
  {
    route: '/api/property-inquiry',
    body: {
      property_id: 'loft-12',
      property_title: 'Loft on Quay Street',
      name: 'Alan Turing',
      email: 'alan@example.com',
      message: 'Is the loft still available for a viewing this week?',
    },
  },
  {
    route: '/api/submit-contact',
    body: { name: 'Katherine Johnson', email: 'katherine@example.com', message: 'Please send me your price list', consent: true },
  },
  { route: '/api/leads', body: { name: 'Linus Torvalds', phone: '+1 415 555 0123', message: 'Call me back', source: 'referral' } },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Leadline exited with code ${child.exitCode} while starting; run npm start to see why`);
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Leadline was not ready within ${START_TIMEOUT_MS / 1000} s`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(ROOT, 'docs/images/admin-panel.png') } } });
  const out = path.resolve(values.out);
  const home = await mkdtemp(path.join(os.tmpdir(), 'leadline-screenshot-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  console.log(`screenshot: starting Leadline on ${url} (home ${home})`);
  const child = spawn(process.execPath, ['--max-semi-space-size=4', '--heap-growing-percent=25', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      LEADLINE_HOME: home,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    await waitForReady(url, child);
    const adminKey = (await readFile(path.join(home, 'admin-api-key'), 'utf8')).trim();
    for (const [index, lead] of SAMPLE_LEADS.entries()) {
      const response = await fetch(`${url}${lead.route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `screenshot-${index}` },
        body: JSON.stringify(lead.body),
      });
      if (!response.ok) throw new Error(`sample lead ${index + 1} was refused: HTTP ${response.status} ${await response.text()}`);
    }
    console.log(`screenshot: captured ${SAMPLE_LEADS.length} sample leads`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(`${url}/admin`);
    await page.locator('#admin-key').fill(adminKey);
    await page.locator('#login-submit').click();
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 15_000 });
    await page
      .locator('#leads-body tr')
      .nth(SAMPLE_LEADS.length - 1)
      .waitFor({ timeout: 15_000 });
    await page.locator('#leads-body tr', { hasText: 'Ada Lovelace' }).click();
    await page.locator('#timeline li[data-event-type="lead.created"]').waitFor({ timeout: 15_000 });
    await mkdir(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`screenshot: wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`screenshot: failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
