// The Leadline admin panel, bundled into /admin/app.js by the server (bundle-browser-script.ts). No
// framework: each part of the page is a module with a `load()` that reads from the API and resolves to
// a step that draws, so one refresh can draw the table, the banner and the stat cards together.
import type { AdminPanelConfig } from '../admin-panel-routes.ts';
import type { StreamedEvent } from '../streamed-event.ts';
import { bearer, createAdminApi, probeAdminKey, readPanelConfig, STREAM_PATH } from './api.ts';
import { createDeadLetters } from './dead-letters.ts';
import { createDeliverySwitch } from './delivery-switch.ts';
import { byId } from './dom.ts';
import { createLeadDetail } from './lead-detail.ts';
import { createLeadsTable } from './leads-table.ts';
import { openLiveStream, type LiveStream } from './live-stream.ts';
import { reportError } from './notify.ts';
import { createRefreshScheduler, type RefreshRequest } from './refresh-scheduler.ts';
import { createSlaBanner } from './sla-banner.ts';
import { createStatCards } from './stat-cards.ts';
import { createSupabaseLive, type SupabaseLive } from './supabase-realtime.ts';
import { createTeamPage } from './team-page.ts';
import { createWebhookEndpoints } from './webhook-endpoints.ts';

/** The key lives in this tab's sessionStorage only: a new tab or a closed browser asks again. */
const KEY_STORAGE = 'leadline.adminKey';
/** How long a live event waits for the rest of its burst before the page refreshes (refresh-scheduler.ts). */
const REFRESH_DELAY_MS = 250;
/** Relative times ("5 min left") are redrawn this often without asking the server. */
const TICK_MS = 30_000;
/**
 * Leads become at risk and breached as time passes, not only on events (the SLA monitor's events may be
 * late or its process down), so everything is re-read this often even when the stream is quiet.
 */
const POLL_MS = 60_000;
const KEY_REFUSED = 'The admin key was not accepted. Enter it again.';

let key = sessionStorage.getItem(KEY_STORAGE) ?? '';
let config: AdminPanelConfig = { live_updates: 'sse' };
type View = 'leads' | 'failed' | 'webhooks' | 'team';
let view: View = 'leads';
let live: LiveStream | undefined;
/** Counts startLive calls, so a connection that finishes opening after a sign-out or restart is closed. */
let liveGeneration = 0;
let supabase: SupabaseLive | undefined;
let timers: ReturnType<typeof setInterval>[] = [];

const api = createAdminApi({
  key: () => key,
  onUnauthorized: () => {
    if (key) signOut(KEY_REFUSED);
  },
});
const openLead = (id: string) => {
  location.hash = `#/leads/${id}`;
};
const scheduler = createRefreshScheduler(refresh, REFRESH_DELAY_MS);
const table = createLeadsTable({ api, openLead, selectedId: () => detail.selectedId() });
const detail = createLeadDetail({
  api,
  close: () => {
    location.hash = '#/';
  },
  refresh: (what) => scheduler.request(what),
  onSelect: (id) => table.markSelected(id),
});
const banner = createSlaBanner({ api, openLead });
const stats = createStatCards({ api });
const deadLetters = createDeadLetters({ api, refresh: () => scheduler.request() });
const deliverySwitch = createDeliverySwitch({ api });
const webhookEndpoints = createWebhookEndpoints({ api, refresh: () => scheduler.request() });
const teamPage = createTeamPage({ api, refresh: () => scheduler.request() });

/**
 * The table, the SLA banner and the stat cards are read in parallel and drawn in one go once all have
 * answered, so the cards never show older numbers than the table; the open lead when asked (an event
 * touched it, or the stream reopened); the dead letters while their view is open.
 */
async function refresh(request: RefreshRequest): Promise<void> {
  const loads = [table.load(), banner.load(), stats.load()];
  if (request.detail && detail.selectedId()) loads.push(detail.load());
  if (view === 'failed') loads.push(deadLetters.load());
  if (view === 'webhooks') loads.push(webhookEndpoints.load());
  if (view === 'team') loads.push(teamPage.load());
  const results = await Promise.allSettled(loads);
  for (const result of results) if (result.status === 'fulfilled') result.value();
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) reportError('Could not refresh', failure.reason);
}

function onLiveEvent(event: StreamedEvent): void {
  scheduler.request({ detail: event.conversation_id !== null && event.conversation_id === detail.selectedId() });
}

// ---------------------------------------------------------------- live updates

function setLive(state: 'connecting' | 'live' | 'reconnecting', label: string = state): void {
  const indicator = byId('live');
  indicator.dataset['state'] = state;
  indicator.textContent = label;
}

/** Whatever happened while the panel was not listening is picked up by a full refresh when it starts to. */
function onListening(label: string): void {
  setLive('live', label);
  scheduler.request({ detail: true });
}

function connectServerStream(): LiveStream {
  return openLiveStream({
    url: STREAM_PATH,
    authorization: () => bearer(key),
    onOpen: () => onListening('live'),
    onEvent: onLiveEvent,
    onReconnecting: () => setLive('reconnecting'),
    onUnauthorized: () => signOut(KEY_REFUSED),
  });
}

function supabaseLive(settings: { url: string; anon_key: string }): SupabaseLive {
  supabase ??= createSupabaseLive({
    url: settings.url,
    anonKey: settings.anon_key,
    onEvent: onLiveEvent,
    onLive: onListening,
    fallback: connectServerStream,
  });
  return supabase;
}

function stopLive(): void {
  liveGeneration += 1;
  live?.close();
  live = undefined;
}

async function startLive(): Promise<void> {
  stopLive();
  const generation = liveGeneration;
  setLive('connecting');
  const stream = config.live_updates === 'supabase' ? await supabaseLive(config.supabase).connect() : connectServerStream();
  if (generation === liveGeneration) live = stream;
  else stream.close();
}

async function onSupabaseSignIn(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const error = byId('supabase-error');
  error.textContent = '';
  if (config.live_updates !== 'supabase') return;
  const password = byId('supabase-password', HTMLInputElement);
  try {
    await supabaseLive(config.supabase).signIn(byId('supabase-email', HTMLInputElement).value, password.value);
    password.value = '';
    byId('supabase-dialog', HTMLDialogElement).close();
    await startLive();
  } catch (failure) {
    error.textContent = failure instanceof Error ? failure.message : String(failure);
  }
}

// ---------------------------------------------------------------- routing

function route(): void {
  if (!key) return;
  const hash = location.hash.replace(/^#/, '');
  view = hash === '/failed' ? 'failed' : hash === '/webhooks' ? 'webhooks' : hash === '/team' ? 'team' : 'leads';
  for (const name of ['leads', 'failed', 'webhooks', 'team'] as const) {
    byId(`view-${name}`).hidden = view !== name;
    byId(`tab-${name}`).classList.toggle('active', view === name);
  }
  const lead = /^\/leads\/([0-9a-fA-F-]{36})$/.exec(hash)?.[1];
  detail.select(lead ? lead.toLowerCase() : null);
  if (view === 'failed') {
    deadLetters.load().then(
      (show) => show(),
      (error: unknown) => reportError('Could not load dead letters', error),
    );
  }
  if (view === 'team') {
    teamPage.load().then(
      (show) => show(),
      (error: unknown) => reportError('Could not load the team', error),
    );
  }
  if (view === 'webhooks') {
    webhookEndpoints.load().then(
      (show) => show(),
      (error: unknown) => reportError('Could not load the webhook endpoints', error),
    );
  }
}

// ---------------------------------------------------------------- sign-in

function showLogin(message = ''): void {
  byId('app').hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = message;
  const input = byId('admin-key', HTMLInputElement);
  input.value = '';
  input.focus();
}

function signOut(message = ''): void {
  sessionStorage.removeItem(KEY_STORAGE);
  key = '';
  stopLive();
  scheduler.cancel();
  for (const timer of timers) clearInterval(timer);
  timers = [];
  showLogin(message);
}

async function onLogin(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const candidate = byId('admin-key', HTMLInputElement).value.trim();
  if (!candidate) return;
  const submit = byId('login-submit', HTMLButtonElement);
  const error = byId('login-error');
  submit.disabled = true;
  error.textContent = '';
  try {
    const status = await probeAdminKey(candidate);
    if (status === 401) {
      error.textContent = 'That key was not accepted.';
      return;
    }
    if (status < 200 || status >= 300) {
      error.textContent = `The server answered ${status}; try again shortly.`;
      return;
    }
    key = candidate;
    sessionStorage.setItem(KEY_STORAGE, key);
    start();
  } catch {
    error.textContent = 'The server cannot be reached.';
  } finally {
    submit.disabled = false;
  }
}

// ---------------------------------------------------------------- start

function start(): void {
  byId('login').hidden = true;
  byId('app').hidden = false;
  route();
  void refresh({ detail: false });
  deliverySwitch.load().catch((error: unknown) => reportError('Could not read the delivery switch', error));
  startLive().catch((error: unknown) => reportError('Live updates failed', error));
  for (const timer of timers) clearInterval(timer);
  timers = [
    setInterval(() => {
      table.redraw();
      banner.redraw();
    }, TICK_MS),
    setInterval(() => scheduler.request(), POLL_MS),
  ];
}

async function boot(): Promise<void> {
  byId('login-form', HTMLFormElement).addEventListener('submit', (event) => void onLogin(event));
  byId('logout').addEventListener('click', () => signOut());
  byId('supabase-signin').addEventListener('click', () => byId('supabase-dialog', HTMLDialogElement).showModal());
  byId('supabase-cancel').addEventListener('click', () => byId('supabase-dialog', HTMLDialogElement).close());
  byId('supabase-form', HTMLFormElement).addEventListener('submit', (event) => void onSupabaseSignIn(event));
  window.addEventListener('hashchange', route);

  config = await readPanelConfig();
  if (key) start();
  else showLogin();
}

void boot();
