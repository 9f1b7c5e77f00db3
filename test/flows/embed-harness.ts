/**
 * Shared set-up of the website embed tests: a host site on its own loopback origin (another port than
 * Leadline's, so every capture is a real cross-origin request with its CORS preflight), Chromium through
 * playwright-core with every page error and console error collected, and a switchable TCP proxy that
 * stands between Leadline and its database so a test can take the database away without touching the
 * shared test server.
 */
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

export interface HostSite {
  /** The site's origin, e.g. `http://127.0.0.1:41234`: what goes into CORS_ORIGINS. */
  origin: string;
  /** Where its pages load /embed.js from; set once Leadline listens. */
  setLeadlineUrl(url: string): void;
  close(): Promise<void>;
}

/**
 * A tiny web site. `GET /<path>` answers a page whose body holds one `<script src="<leadline>/embed.js"
 * data-…>` per attribute set `pages` names for the path (`{ form: 'chat' }` → `data-form="chat"`). The page carries a strict Content-Security-Policy that allows scripts and
 * connections to Leadline only (no inline styles or scripts), and hostile CSS that would wreck any form
 * outside a shadow root.
 */
export async function startHostSite(pages: Record<string, Record<string, string> | Record<string, string>[]>): Promise<HostSite> {
  let leadlineUrl = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/site.css') {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end(
        'form, input, textarea, label, button, h2, p { display: none !important; } * { color: #f0f !important; font-size: 40px !important; }',
      );
      return;
    }
    const embeds = pages[url.pathname];
    if (!embeds) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const tags = (Array.isArray(embeds) ? embeds : [embeds]).map((attributes) => {
      const data = Object.entries(attributes)
        .map(([name, value]) => ` data-${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
        .join('');
      return `<script src="${leadlineUrl}/embed.js"${data} async></script>`;
    });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'self'; script-src ${leadlineUrl}; connect-src ${leadlineUrl}; style-src 'self'`,
    });
    res.end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host ${url.pathname}</title><link rel="stylesheet" href="/site.css"></head>` +
        `<body><main><h1>A host page</h1>${tags.join('<hr>')}</main></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setLeadlineUrl(url) {
      leadlineUrl = url;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface EmbedBrowser {
  browser: Browser;
  /** A fresh browser profile (its own localStorage), like one visitor's browser. */
  newVisitor(): Promise<Visitor>;
  close(): Promise<void>;
}

export interface Visitor {
  context: BrowserContext;
  /** A new tab in this visitor's browser, recording `leadline:submitted` events and every problem. */
  open(url: string): Promise<Page>;
  /** Page errors and console errors of every tab so far, minus the network lines in `expectedNetworkErrors`. */
  problems(): string[];
  /**
   * Chromium writes a console error for every failed request ("Failed to load resource: … 503"); a test
   * that provokes a 400 or an outage names the statuses it expects here, so only those are forgiven.
   */
  expectNetworkErrors(statuses: number[]): void;
}

/** What the host page heard: every `leadline:submitted` event's detail, in order. */
export async function submittedEvents(page: Page): Promise<{ id: string; form: string; delayed: boolean }[]> {
  return page.evaluate(() => (window as unknown as { submitted: { id: string; form: string; delayed: boolean }[] }).submitted);
}

/** The submissions the embed keeps in this origin's localStorage. */
export async function pendingSubmissions(page: Page): Promise<{ key: string; url: string; body: Record<string, unknown> }[]> {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((name) => name.startsWith('leadline.pending.'))
      .map((name) => JSON.parse(localStorage.getItem(name) ?? '{}') as { key: string; url: string; body: Record<string, unknown> }),
  );
}

export async function launchEmbedBrowser(): Promise<EmbedBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the chromium package (the tests never download a browser)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    browser,
    async newVisitor() {
      const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
      const problems: string[] = [];
      const forgiven = new Set<number>();
      await context.addInitScript(() => {
        const events: unknown[] = [];
        (window as unknown as { submitted: unknown[] }).submitted = events;
        document.addEventListener('leadline:submitted', (event) => events.push((event as CustomEvent).detail));
      });
      return {
        context,
        async open(url) {
          const page = await context.newPage();
          page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
          page.on('console', (message) => {
            if (message.type() !== 'error') return;
            const status = /^Failed to load resource: the server responded with a status of (\d{3})\b/.exec(message.text());
            if (status && forgiven.has(Number(status[1]))) return;
            problems.push(`console: ${message.text()}`);
          });
          await page.goto(url);
          return page;
        },
        problems: () => [...problems],
        expectNetworkErrors(statuses) {
          for (const status of statuses) forgiven.add(status);
        },
      };
    },
    close: () => browser.close(),
  };
}

export interface SwitchableProxy {
  /** `upstreamUrl` with its host and port replaced by the proxy's. */
  urlFor(upstreamUrl: string): string;
  /** Cuts every open connection and refuses new ones (each is accepted and reset at once), like a database that went away. */
  goDown(): void;
  /** Forwards new connections again. */
  comeBack(): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `upstreamUrl`'s host and port that can be switched off and on. */
export async function startSwitchableProxy(upstreamUrl: string): Promise<SwitchableProxy> {
  const upstream = new URL(upstreamUrl);
  const open = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const target = net.connect(Number(upstream.port), upstream.hostname);
    open.add(client).add(target);
    const closeBoth = () => {
      client.destroy();
      target.destroy();
      open.delete(client);
      open.delete(target);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    target.on('error', closeBoth).on('close', closeBoth);
    client.pipe(target).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor(upstreamUrl) {
      const url = new URL(upstreamUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      // A Unix socket (`?host=/dir`) would go round the proxy.
      url.searchParams.delete('host');
      return url.toString();
    },
    goDown() {
      down = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    comeBack() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
