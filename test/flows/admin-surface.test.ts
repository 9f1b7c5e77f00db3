import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleBrowserScript } from '../../src/http/bundle-browser-script.ts';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { problemDetailsViolations, sendRequest } from '../security/send-request.ts';

let db: TestDatabase;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('admin_surface');
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe('GET /metrics', () => {
  it('when scraped without a key, then Prometheus text with lead, outbox, delivery, dead-letter, SLA and memory numbers and no personal data', async () => {
    const lead = await postJson(`${app.url}/api/leads`, {
      name: 'Metric Mallory',
      email: 'mallory@example.com',
      phone: '+14155550177',
      message: 'secret plans',
      source: 'metrics-test',
    });
    expect(lead.status).toBe(201);
    await waitFor('the log delivery', async () => {
      const { rows } = await db.pool.query(`SELECT 1 FROM notification_logs WHERE conversation_id = $1 AND status = 'sent'`, [
        lead.body.id,
      ]);
      return rows.length > 0;
    });
    await db.pool.query(`INSERT INTO raw_leads (source, body, status) VALUES ('meta', '{"full_name":"Hidden Person"}', 'failed')`);

    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# TYPE leadline_leads gauge');
    expect(text).toMatch(new RegExp(`^leadline_leads\\{source="metrics-test",quality="${lead.body.quality}"\\} 1$`, 'm'));
    // In-process counters only go up; the two histograms are there with their buckets.
    expect(text).toMatch(/^leadline_captures_total\{route="api",outcome="created"\} [1-9]\d*$/m);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="0\.005",route="\/api\/leads",method="POST",status_class="2xx"\} \d+$/m,
    );
    expect(text).toContain('# TYPE leadline_delivery_latency_seconds histogram');
    expect(text).toMatch(/^leadline_delivery_latency_seconds_count\{channel="log"\} [1-9]\d*$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds [\d.e+-]+$/m);
    expect(text).toMatch(/^leadline_queue_jobs\{queue="deliver-log",state="ready"\} \d+$/m);
    expect(text).toMatch(/^leadline_outbox_unprocessed_events \d+$/m);
    expect(text).toMatch(/^leadline_outbox_oldest_unprocessed_age_seconds [\d.e+-]+$/m);
    expect(text).toMatch(/^leadline_notification_attempts\{channel="log",status="sent"\} [1-9]\d*$/m);
    expect(text).toMatch(/^leadline_dead_letters\{kind="ingestion"\} 1$/m);
    expect(text).toMatch(/^leadline_dead_letters\{kind="delivery"\} 0$/m);
    expect(text).toMatch(/^leadline_sla_breached_leads \d+$/m);
    expect(text).toMatch(/^leadline_database_up 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
    for (const personal of ['Mallory', 'mallory', 'example.com', '4155550177', 'secret plans', 'Hidden Person'])
      expect(text).not.toContain(personal);
  });

  it('when the database is dropped under the running process, then the scrape still answers, with leadline_database_up 0', async () => {
    // A database of its own, taken away while a Leadline uses it (a stopped server is covered, through the
    // real process, by test/faults/health-ready.test.ts).
    const doomed = await createTestDatabase('admin_surface_doomed');
    const server = await startTestLeadline(doomed.url, { ROLE: 'api' });
    try {
      const up = await (await fetch(`${server.url}/metrics`)).text();
      expect(up).toMatch(/^leadline_database_up 1$/m);
      await doomed.dropNow();
      // One scrape's database snapshot serves the scrapes of the next second, so the drop shows within ~1 s.
      const text = await waitFor(
        'a scrape that says the database is down',
        async () => {
          const response = await fetch(`${server.url}/metrics`);
          expect(response.status).toBe(200);
          const body = await response.text();
          return /^leadline_database_up 0$/m.test(body) ? body : undefined;
        },
        5_000,
      );
      expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
      expect(text).not.toMatch(/^leadline_leads\{/m);
    } finally {
      await server.stop();
      await doomed.drop();
    }
  });
});

describe('GET /admin', () => {
  it.each([
    ['/admin', 'text/html'],
    ['/admin/', 'text/html'],
    ['/admin/app.js', 'text/javascript'],
    ['/admin/admin.css', 'text/css'],
  ])('when %s is requested without a key, then it is served as %s under the CSP', async (path, type) => {
    const response = await fetch(`${app.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(type);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    await response.arrayBuffer();
  });

  it('when the page is read, then it loads its one bundled script from the same origin and has no inline script', async () => {
    const html = await (await fetch(`${app.url}/admin`)).text();
    expect(html).toContain('<script defer src="/admin/app.js"></script>');
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('when Supabase is not configured, then config.json says sse and the vendor bundle is 404', async () => {
    expect(await (await fetch(`${app.url}/admin/config.json`)).json()).toEqual({ live_updates: 'sse' });
    const vendor = await fetch(`${app.url}/admin/vendor/supabase.js`);
    expect(vendor.status).toBe(404);
    await vendor.arrayBuffer();
  });

  it('when Supabase is configured, then config.json says supabase and the supabase-js browser bundle is served from our origin', async () => {
    const server = await startTestLeadline(db.url, {
      ROLE: 'api',
      SUPABASE_URL: 'https://abc.supabase.co',
      SUPABASE_ANON_KEY: 'anon-public-key',
    });
    try {
      expect(await (await fetch(`${server.url}/admin/config.json`)).json()).toEqual({
        live_updates: 'supabase',
        supabase: { url: 'https://abc.supabase.co', anon_key: 'anon-public-key' },
      });
      const vendor = await fetch(`${server.url}/admin/vendor/supabase.js`);
      expect(vendor.status).toBe(200);
      expect(vendor.headers.get('content-type')).toContain('text/javascript');
      expect((await vendor.text()).slice(0, 40)).toContain('supabase');
    } finally {
      await server.stop();
    }
  });

  it('when the bundle is fetched, then it is one minified script with a content ETag that revalidates to 304', async () => {
    const response = await fetch(`${app.url}/admin/app.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    const code = await response.text();
    // An IIFE with every module inlined: no import statements, no TypeScript, no server code.
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toContain('import type');
    expect(code).not.toContain('pg-boss');
    expect(code).toMatch(/^("use strict";)?\(\(\)=>\{/);

    // A browser revalidating its cached copy; fetch would add `Cache-Control: no-cache` (a forced reload) unless told otherwise.
    const again = await fetch(`${app.url}/admin/app.js`, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);
    await again.arrayBuffer();
  });

  it.each(['/admin/main.ts', '/admin/api.ts', '/admin/admin.js'])(
    'when the panel source %s is asked for, then it is not served',
    async (path) => {
      const response = await fetch(`${app.url}${path}`);
      expect(response.status).toBe(404);
      await response.arrayBuffer();
    },
  );

  // Sent over node:http exactly as written: fetch would normalise `..` away before the request left.
  it.each([
    '/admin/../main.ts',
    '/admin/../admin-read-routes.ts',
    '/admin/%2e%2e/main.ts',
    '/admin/%2E%2E/admin-read-routes.ts',
    '/admin/..%2fadmin-read-routes.ts',
    '/admin/..%2F..%2Fmain.ts',
    '/admin/%2e%2e%2f%2e%2e%2fmain.ts',
    '/admin/..\\main.ts',
    '/admin/panel/main.ts',
    '/admin/./main.ts',
  ])('when %s is asked for as written, then 404 problem+json and no source code', async (path) => {
    const response = await sendRequest(app.url, { path });
    expect(response.status, response.text.slice(0, 200)).toBe(404);
    expect(problemDetailsViolations(response)).toEqual([]);
    expect(response.text).not.toContain('import ');
    expect(response.text).not.toContain('export ');
  });
});

describe('bundleBrowserScript', () => {
  it('when an entry imports a module and a type, then one IIFE comes back with the type erased, a hash ETag and its gzip size, and the same result on the next call', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'leadline-bundle-'));
    try {
      await writeFile(path.join(dir, 'greet.ts'), 'export const greet = (name: string): string => `hello ${name}`;\n');
      await writeFile(
        path.join(dir, 'entry.ts'),
        "import type { AdminStats } from '../../does/not/matter.ts';\nimport { greet } from './greet.ts';\nconst stats: AdminStats | undefined = undefined;\nconsole.log(greet('panel'), stats);\n",
      );
      const bundle = bundleBrowserScript(path.join(dir, 'entry.ts'));
      expect(bundle.code).toContain('hello ');
      expect(bundle.code).not.toContain('import');
      expect(bundle.code).toMatch(/^("use strict";)?\(\(\)=>\{/);
      expect(bundle.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(bundle.gzipBytes).toBeGreaterThan(0);
      expect(bundleBrowserScript(path.join(dir, 'entry.ts'))).toBe(bundle);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when an entry does not build, then it throws with the entry and the cause instead of returning a broken script', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'leadline-bundle-'));
    try {
      const entry = path.join(dir, 'broken.ts');
      await writeFile(entry, "import { missing } from './nowhere.ts';\nconsole.log(missing);\n");
      expect(() => bundleBrowserScript(entry)).toThrow(/could not bundle the browser script .*broken\.ts.*nowhere\.ts/s);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
