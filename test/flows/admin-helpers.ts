import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Router } from 'express';
import { adminPanelRoutes } from '../../src/admin/admin-panel-routes.ts';
import { adminReadRoutes, type AdminReadDeps } from '../../src/admin/admin-read-routes.ts';
import { createLeadEventHub, type LeadEventHub } from '../../src/admin/create-lead-event-hub.ts';
import { deliveryAdminRoutes } from '../../src/delivery/delivery-admin-routes.ts';
import { createApp } from '../../src/http/create-app.ts';
import { requireAdminKey } from '../../src/http/require-admin-key.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { createMetrics } from '../../src/metrics/create-metrics.ts';
import { metricsRoutes } from '../../src/metrics/metrics-routes.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { slaAdminRoutes } from '../../src/sla/sla-admin-routes.ts';
import type { Leadline } from '../../src/main.ts';
import { TEST_ADMIN_KEY } from '../helpers/start-test-leadline.ts';

export interface AdminSurface {
  /** Where /admin, /metrics and /api/admin/* answer. */
  url: string;
  /** True when main.ts serves them itself; false when the side server below stands in. */
  wiredInMain: boolean;
  stop(): Promise<void>;
}

/**
 * The admin panel, the admin read API and /metrics of a running test Leadline. Until main.ts mounts them,
 * they are served by a side server in the same process on the same database, wired the way the wiring
 * snippet in the admin README section says, so these tests exercise the real routers either way.
 * `supabase` always builds such a side server, with the panel in Supabase Realtime mode.
 */
export async function adminSurfaceOf(
  app: Leadline & { url: string },
  options: { supabase?: { url: string; anonKey: string } } = {},
): Promise<AdminSurface> {
  if (!options.supabase) {
    const probe = await fetch(`${app.url}/admin/config.json`);
    await probe.arrayBuffer();
    if (probe.status !== 404) return { url: app.url, wiredInMain: true, stop: async () => {} };
  }

  const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', destination: process.stderr });
  const eventHub = createLeadEventHub({ connectionString: app.databaseUrl, db: app.pool, logger });
  const admin = express.Router();
  admin.use('/api/admin', requireAdminKey(TEST_ADMIN_KEY), express.json({ limit: '64kb' }));
  admin.use(adminReadRoutes({ db: app.pool, eventHub, logger }));
  admin.use(slaAdminRoutes({ db: app.pool, clock: systemClock }));
  admin.use(deliveryAdminRoutes({ pool: app.pool, boss: app.boss, channels: app.channels.map((channel) => channel.name) }));
  const served = await serve([
    adminPanelRoutes({ supabase: options.supabase ?? app.config.supabase }),
    metricsRoutes({ metrics: createMetrics({ db: app.pool }) }),
    admin,
  ]);
  return {
    url: served.url,
    wiredInMain: false,
    async stop() {
      await eventHub.stop();
      await served.close();
    },
  };
}

/** A bare app with just the given routers (for behaviour that needs knobs main.ts does not expose). */
export async function serve(routers: Router[]): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', destination: process.stderr });
  const app = createApp({ logger, trustProxy: undefined, isShuttingDown: () => false, routers });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The admin read router behind the key, alone on a server, with its own hub. */
export async function serveAdminRead(deps: Omit<AdminReadDeps, 'eventHub'> & { connectionString: string }): Promise<{
  url: string;
  hub: LeadEventHub;
  close(): Promise<void>;
}> {
  const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', destination: process.stderr });
  const hub = createLeadEventHub({ connectionString: deps.connectionString, db: deps.db, logger });
  const admin = express.Router();
  admin.use('/api/admin', requireAdminKey(TEST_ADMIN_KEY));
  admin.use(adminReadRoutes({ ...deps, eventHub: hub }));
  const served = await serve([admin]);
  return {
    url: served.url,
    hub,
    async close() {
      await hub.stop();
      await served.close();
    },
  };
}

export interface EventStreamReader {
  status: number;
  contentType: string | null;
  events: { id: string; data: Record<string, unknown> }[];
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** A minimal Server-Sent Events client over fetch, recording events and comment lines as they arrive. */
export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStreamReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const reader: EventStreamReader = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events: [],
    comments: [],
    ended: Promise.resolve(),
    close: () => controller.abort(),
  };
  if (!response.body || response.status !== 200) {
    await response.arrayBuffer().catch(() => undefined);
    return reader;
  }
  const body = response.body.pipeThrough(new TextDecoderStream()).getReader();
  reader.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value: chunk } = await body.read();
        if (done) break;
        buffer += chunk;
        let boundary = buffer.indexOf('\n\n');
        while (boundary >= 0) {
          const frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          let id = '';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) reader.comments.push(line.slice(1).trim());
            else if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trim());
          }
          if (data.length > 0) reader.events.push({ id, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
          boundary = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return reader;
}
