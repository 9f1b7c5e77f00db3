/**
 * The bare baseline: Express 5 + pg writing the same rows as a Leadline capture (the lead, its message,
 * the `lead.created` event and the timeline row, with a NOTIFY) in one transaction, with no validation, scoring,
 * idempotency or rate limiting. It is what the simplest correct endpoint on this machine costs, so the
 * bench can say how close Leadline comes to it. Run as its own process: `DATABASE_URL=… node
 * bench/baseline-server.ts`; it prints `baseline listening at <url>` when ready.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';

const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) {
  process.stderr.write('baseline: DATABASE_URL is required\n');
  process.exit(1);
}
// The same pool size Leadline's capture pool uses by default (DATABASE_POOL_SIZE).
const pool = new pg.Pool({
  connectionString: databaseUrl,
  max: Number(process.env['POOL_SIZE'] ?? 10),
  application_name: 'leadline-baseline',
});
pool.on('error', () => {});

const HOUR_MS = 3_600_000;

interface Body {
  name?: string;
  email?: string;
  phone?: string;
  message?: string;
  source?: string;
  service_type?: string;
  urgency?: string;
  custom_fields?: unknown;
  metadata?: unknown;
  consent?: unknown;
}

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json({ limit: '64kb' }));

app.post('/api/leads', async (req, res) => {
  const body = req.body as Body;
  const now = new Date();
  const deadline = new Date(now.getTime() + HOUR_MS);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const lead = await client.query<{ id: string }>(
      /* sql */ `INSERT INTO conversations (source, name, email, phone, message, service_type, urgency, custom_fields,
                  quality, score, metadata, consent, idempotency_key, created_at, updated_at, sla_response_deadline, sla_warning_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'warm', 40, $9, $10, $11, $12, $12, $13, $14) RETURNING id`,
      [
        body.source ?? 'api',
        body.name ?? null,
        body.email ?? null,
        body.phone ?? null,
        body.message ?? null,
        body.service_type ?? null,
        body.urgency ?? null,
        JSON.stringify(body.custom_fields ?? {}),
        JSON.stringify(body.metadata ?? {}),
        body.consent === undefined ? null : JSON.stringify(body.consent),
        randomUUID(),
        now,
        deadline,
        new Date(deadline.getTime() - 30 * 60_000),
      ],
    );
    const id = lead.rows[0]!.id;
    await client.query(
      /* sql */ `INSERT INTO chat_messages (conversation_id, role, content, sent_at, position) VALUES ($1, 'user', $2, $3, 0)`,
      [id, body.message ?? '', now],
    );
    const event = await client.query<{ id: string }>(
      /* sql */ `INSERT INTO lead_events (event_type, conversation_id, payload, created_at) VALUES ('lead.created', $1, $2, $3) RETURNING id`,
      [id, JSON.stringify({ source: body.source ?? 'api', quality: 'warm', sla_deadline: deadline }), now],
    );
    await client.query(
      /* sql */ `INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, description, actor_type, created_at)
                VALUES ($1, $2, 'lead.created', 'Lead captured from API', 'WARM lead', 'customer', $3)`,
      [id, event.rows[0]!.id, now],
    );
    // A bare endpoint that wants a relay woken announces the event in the transaction, the usual way.
    await client.query(/* sql */ `SELECT pg_notify('leadline_outbox', '')`);
    await client.query('COMMIT');
    res.status(201).json({ id, quality: 'warm', sla_deadline: deadline.toISOString() });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    res.status(500).json({ title: (error as Error).message });
  } finally {
    client.release();
  }
});

const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`baseline listening at http://127.0.0.1:${port}\n`);
});
server.keepAliveTimeout = 65_000;

const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
