/**
 * Sends a signed test webhook to a running Leadline the way Meta's Lead Ads Testing Tool does: a `page`
 * object with one `leadgen` change whose ids are bare JSON numbers, signed with META_APP_SECRET in
 * X-Hub-Signature-256 over the exact bytes sent.
 *
 *   npm run meta:simulate -- [--url http://127.0.0.1:3000] [--leadgen-id 12345678901234567]
 *                            [--page-id 111222333444555] [--form-id 555000111222333] [--count 1] [--tamper]
 *
 * META_APP_SECRET comes from the environment or .env. `--tamper` changes the body after signing, to see the
 * 401 a forged delivery gets. Leadline then fetches each lead from META_GRAPH_URL: point that at the local
 * Graph stub (`node test/stubs/start-graph-stub.ts`) to run the whole path without Meta.
 */
import { createHmac, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

function randomId(digits: number): string {
  let id = String(randomInt(1, 10));
  while (id.length < digits) id += String(randomInt(0, 10));
  return id;
}

function fail(message: string): never {
  process.stderr.write(`meta:simulate: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'leadgen-id': { type: 'string' },
      'page-id': { type: 'string', default: '111222333444555' },
      'form-id': { type: 'string', default: '555000111222333' },
      count: { type: 'string', default: '1' },
      tamper: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run meta:simulate -- [--url URL] [--leadgen-id ID] [--page-id ID] [--form-id ID] [--count N] [--tamper]\n',
    );
    return;
  }
  const secret = process.env['META_APP_SECRET'];
  if (!secret) fail('META_APP_SECRET is not set (in the environment or .env): it is what Meta signs webhooks with');
  const baseUrl = (values.url ?? process.env['PUBLIC_URL'] ?? `http://127.0.0.1:${process.env['PORT'] ?? '3000'}`).replace(/\/$/, '');
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    fail('--count must be a whole number from 1 to 1000 (Meta batches at most 1,000 changes)');
  for (const [name, id] of [
    ['--leadgen-id', values['leadgen-id']],
    ['--page-id', values['page-id']],
    ['--form-id', values['form-id']],
  ] as const) {
    if (id !== undefined && !/^\d{1,20}$/.test(id)) fail(`${name} must be a numeric id`);
  }
  if (values['leadgen-id'] && count > 1) fail('--leadgen-id names one lead; leave it out with --count');

  const pageId = values['page-id'];
  const formId = values['form-id'];
  const now = Math.floor(Date.now() / 1000);
  const leadgenIds = values['leadgen-id'] ? [values['leadgen-id']] : Array.from({ length: count }, () => randomId(17));
  // Written by hand: ids stay bare JSON numbers, exactly as Meta sends them (JSON.stringify of a Number would round).
  const changes = leadgenIds.map(
    (id) =>
      `{"field":"leadgen","value":{"ad_id":"${randomId(15)}","form_id":"${formId}","leadgen_id":${id},"created_time":${now},"page_id":"${pageId}","adgroup_id":"${randomId(15)}"}}`,
  );
  const body = `{"object":"page","entry":[{"id":"${pageId}","time":${now},"changes":[${changes.join(',')}]}]}`;
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const sent = values.tamper ? body.replace(`"time":${now}`, `"time":${now + 1}`) : body;

  const target = `${baseUrl}/api/webhooks/meta`;
  process.stdout.write(`Sending a Meta leadgen webhook to ${target}\n`);
  process.stdout.write(
    `  leadgen_id ${leadgenIds.length === 1 ? leadgenIds[0] : `${leadgenIds.length} ids (${leadgenIds[0]}, ...)`} as JSON number(s), like Meta\n`,
  );
  process.stdout.write(`  page_id ${pageId}, form_id ${formId}\n`);
  process.stdout.write(`  signed with META_APP_SECRET in X-Hub-Signature-256${values.tamper ? ', then tampered with (expect 401)' : ''}\n`);

  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'facebookexternalua', 'x-hub-signature-256': signature },
      body: sent,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    fail(`could not reach ${target} (${(error as Error).message}); is Leadline running? Start it with npm start or pass --url`);
  }
  const elapsedMs = Math.round(performance.now() - started);
  const answer = await response.text();
  process.stdout.write(`Leadline answered ${response.status} in ${elapsedMs} ms: ${answer.slice(0, 500)}\n\n`);

  if (response.ok) {
    process.stdout.write(
      `Summary: delivery accepted (${leadgenIds.length} lead id(s)). Leadline now fetches each lead from META_GRAPH_URL and ` +
        'captures it; watch the log, the admin panel, or GET /api/admin/leads?source=meta. A Graph API that does not know ' +
        'the id leaves the payload in raw_leads as failed (GET /api/admin/failed).\n',
    );
    return;
  }
  process.stdout.write(
    response.status === 401
      ? `Summary: rejected as unsigned or forged (401)${values.tamper ? ', as expected with --tamper' : '; check that META_APP_SECRET here matches the running Leadline'}.\n`
      : response.status === 404
        ? 'Summary: Meta webhooks are not configured on that Leadline (set META_APP_SECRET there).\n'
        : `Summary: not accepted (${response.status}).\n`,
  );
  process.exit(values.tamper && response.status === 401 ? 0 : 1);
}

await main();
