// Leadline admin panel: one ES module, no framework, no build step.
// Every piece of lead data reaches the DOM as text (text nodes, textContent, attributes set with
// setAttribute), never as HTML, so a name like <img onerror=…> shows as the characters it is.

const KEY_STORAGE = 'leadline.adminKey';
const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/**
 * Live events arrive in bursts (a lead, then its deliveries): the first event of a burst schedules one
 * refresh this long after it, and later events ride along, so a steady stream still refreshes 2-4 times a
 * second instead of never (a plain debounce would keep postponing) or on every event.
 */
const REFRESH_DELAY_MS = 250;
/** The stats query counts every lead and delivery: re-read it at most this often. */
const STATS_MIN_INTERVAL_MS = 2_000;
/** Relative times ("5 min left") are redrawn this often without asking the server. */
const TICK_MS = 30_000;
/** At-risk leads appear as time passes, not only on events, so the banner is re-read this often. */
const SLA_POLL_MS = 60_000;
const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'converted', 'lost', 'spam'];
const QUALITIES = ['hot', 'warm', 'cold'];

const $ = (id) => document.getElementById(id);

const state = {
  key: sessionStorage.getItem(KEY_STORAGE) ?? '',
  config: { live_updates: 'sse' },
  filters: { q: '', status: '', quality: '', source: '' },
  leads: [],
  knownIds: new Set(),
  listLoaded: false,
  nextCursor: null,
  listSeq: 0,
  view: 'leads',
  selectedId: null,
  detail: null,
  detailSeq: 0,
  sla: null,
  stats: null,
  failed: null,
  live: null,
  supabase: null,
  timers: [],
  pending: null,
  pendingTimer: undefined,
};

// ---------------------------------------------------------------- DOM helpers

/** Builds an element. Children that are not Nodes become text nodes: that is the escaping. */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function section(title, ...content) {
  return h('section', { class: 'detail-section' }, h('h3', {}, title), ...content);
}

function keyValues(pairs) {
  const rows = pairs.filter(([, value]) => value !== undefined && value !== null && value !== '');
  if (rows.length === 0) return h('p', { class: 'muted' }, 'Nothing recorded.');
  return h('dl', { class: 'kv' }, rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

let toastTimer;
function toast(message, kind = 'info') {
  const box = $('toast');
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, kind === 'error' ? 7_000 : 3_500);
}

// ---------------------------------------------------------------- time

function formatDuration(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

function relativeTime(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const ago = Date.now() - at;
  if (ago < 45_000 && ago > -45_000) return 'just now';
  return ago >= 0 ? `${formatDuration(ago)} ago` : `in ${formatDuration(ago)}`;
}

function absoluteTime(iso) {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '' : at.toLocaleString();
}

function timeElement(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { class: 'time', datetime: iso, title: absoluteTime(iso) }, relativeTime(iso));
}

// ---------------------------------------------------------------- badges

function qualityBadge(quality) {
  return h('span', { class: `badge ${QUALITIES.includes(quality) ? quality : ''}` }, quality ?? '?');
}

function statusBadge(status) {
  return h('span', { class: `badge ${LEAD_STATUSES.includes(status) ? `status-${status}` : ''}` }, status ?? '?');
}

/** The response clock of one lead as the table and the detail view show it. */
function slaInfo(lead, now = Date.now()) {
  const deadline = Date.parse(lead.sla_response_deadline);
  if (lead.first_response_at) {
    const answered = Date.parse(lead.first_response_at);
    return answered <= deadline
      ? { state: 'met', text: 'answered in time' }
      : { state: 'late', text: `answered ${formatDuration(answered - deadline)} late` };
  }
  if (lead.sla_breached || deadline <= now) return { state: 'breached', text: `${formatDuration(now - deadline)} overdue` };
  if (Date.parse(lead.sla_warning_at) <= now) return { state: 'at_risk', text: `${formatDuration(deadline - now)} left` };
  return { state: 'open', text: `${formatDuration(deadline - now)} left` };
}

function slaElement(lead) {
  const info = slaInfo(lead);
  return h('span', { class: 'sla', dataset: { state: info.state }, title: `Deadline ${absoluteTime(lead.sla_response_deadline)}` }, info.text);
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { authorization: `Bearer ${state.key}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const detail = data && typeof data === 'object' && typeof data.detail === 'string' ? data.detail : `HTTP ${response.status}`;
    const error = new ApiError(response.status, detail, data);
    if (response.status === 401 && state.key) signOut('The admin key was not accepted. Enter it again.');
    throw error;
  }
  return data;
}

function reportError(what, error) {
  if (error instanceof ApiError && error.status === 401) return;
  toast(`${what}: ${error instanceof Error ? error.message : String(error)}`, 'error');
}

// ---------------------------------------------------------------- sign-in

function showLogin(message = '') {
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('admin-key').value = '';
  $('admin-key').focus();
}

function signOut(message = '') {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = '';
  stopLive();
  for (const timer of state.timers) clearInterval(timer);
  state.timers = [];
  showLogin(message);
}

async function onLogin(event) {
  event.preventDefault();
  const key = $('admin-key').value.trim();
  if (!key) return;
  $('login-submit').disabled = true;
  $('login-error').textContent = '';
  try {
    const response = await fetch('/api/admin/stats', { headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
    if (response.status === 401) {
      $('login-error').textContent = 'That key was not accepted.';
      return;
    }
    if (!response.ok) {
      $('login-error').textContent = `The server answered ${response.status}; try again shortly.`;
      return;
    }
    state.key = key;
    sessionStorage.setItem(KEY_STORAGE, key);
    start();
  } catch {
    $('login-error').textContent = 'The server cannot be reached.';
  } finally {
    $('login-submit').disabled = false;
  }
}

// ---------------------------------------------------------------- routing

function route() {
  const hash = location.hash.replace(/^#/, '');
  const leadMatch = /^\/leads\/([0-9a-fA-F-]{36})$/.exec(hash);
  state.view = hash === '/failed' ? 'failed' : 'leads';
  $('view-leads').hidden = state.view !== 'leads';
  $('view-failed').hidden = state.view !== 'failed';
  $('tab-leads').classList.toggle('active', state.view === 'leads');
  $('tab-failed').classList.toggle('active', state.view === 'failed');
  const selected = leadMatch ? leadMatch[1].toLowerCase() : null;
  if (selected !== state.selectedId) {
    state.selectedId = selected;
    state.detail = null;
    renderDetail();
    markSelectedRow();
    if (selected) loadDetail().catch((error) => reportError('Could not load the lead', error));
  }
  if (state.view === 'failed') loadFailed().catch((error) => reportError('Could not load dead letters', error));
}

function openLead(id) {
  location.hash = `#/leads/${id}`;
}

function closeDetail() {
  location.hash = '#/';
}

// ---------------------------------------------------------------- leads table

function leadQuery({ append }) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.filters)) if (value) params.set(name, value);
  // A refresh fetches as many rows as are on screen, so "Load more" results stay put on live updates.
  const limit = append ? PAGE_SIZE : Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, state.leads.length));
  params.set('limit', String(limit));
  if (append && state.nextCursor) params.set('cursor', state.nextCursor);
  return params;
}

async function loadLeads({ append = false } = {}) {
  const seq = ++state.listSeq;
  const data = await api(`/api/admin/leads?${leadQuery({ append })}`);
  if (seq !== state.listSeq) return;
  const fresh = new Set();
  if (state.listLoaded) for (const lead of data.items) if (!state.knownIds.has(lead.id)) fresh.add(lead.id);
  for (const lead of data.items) state.knownIds.add(lead.id);
  state.leads = append ? [...state.leads, ...data.items] : data.items;
  state.nextCursor = data.next_cursor;
  state.listLoaded = true;
  renderLeads(fresh);
}

function renderLeads(fresh = new Set()) {
  const rows = state.leads.map((lead) =>
    h(
      'tr',
      {
        dataset: { id: lead.id },
        class: [fresh.has(lead.id) ? 'fresh' : '', lead.id === state.selectedId ? 'selected' : ''].join(' ').trim(),
        tabindex: 0,
        onclick: () => openLead(lead.id),
        onkeydown: (event) => {
          if (event.key === 'Enter') openLead(lead.id);
        },
      },
      h('td', {}, timeElement(lead.created_at)),
      h(
        'td',
        {},
        h('div', { class: 'lead-name' }, lead.name || '(no name)'),
        h('div', { class: 'lead-preview' }, lead.subject || lead.message_preview || ''),
      ),
      h('td', { class: 'contact col-contact' }, lead.email ? h('div', {}, lead.email) : null, lead.phone ? h('div', {}, lead.phone) : null),
      h('td', { class: 'col-source' }, lead.source),
      h('td', { class: 'nowrap' }, qualityBadge(lead.quality), h('span', { class: 'score' }, String(lead.score))),
      h('td', {}, statusBadge(lead.status)),
      h('td', {}, slaElement(lead)),
    ),
  );
  $('leads-body').replaceChildren(...rows);
  $('leads-empty').hidden = state.leads.length > 0;
  $('load-more').hidden = !state.nextCursor;
  $('load-more').parentElement.hidden = !state.nextCursor;
}

function markSelectedRow() {
  for (const row of $('leads-body').children) row.classList.toggle('selected', row.dataset.id === state.selectedId);
  $('detail').hidden = !state.selectedId;
  document.querySelector('.split').classList.toggle('with-detail', Boolean(state.selectedId));
}

let filterTimer;
function onFilterChange() {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    state.filters = {
      q: $('filter-q').value.trim(),
      status: $('filter-status').value,
      quality: $('filter-quality').value,
      source: $('filter-source').value.trim().toLowerCase(),
    };
    state.leads = [];
    loadLeads().catch((error) => reportError('Could not load leads', error));
  }, 250);
}

// ---------------------------------------------------------------- lead detail

async function loadDetail() {
  const id = state.selectedId;
  if (!id) return;
  const seq = ++state.detailSeq;
  try {
    const detail = await api(`/api/admin/leads/${encodeURIComponent(id)}`);
    if (seq !== state.detailSeq || id !== state.selectedId) return;
    state.detail = detail;
  } catch (error) {
    if (seq !== state.detailSeq) return;
    state.detail = { error: error instanceof ApiError && error.status === 404 ? 'This lead does not exist (any more).' : error.message };
  }
  renderDetail();
}

async function respond() {
  const id = state.selectedId;
  try {
    const result = await api(`/api/admin/leads/${encodeURIComponent(id)}/respond`, { method: 'POST', body: {} });
    toast(result && result.already_responded ? 'This lead was already answered.' : 'Marked as answered.');
  } catch (error) {
    reportError('Could not record the response', error);
  }
  scheduleRefresh({ detail: true });
}

async function changeStatus(select) {
  const id = state.selectedId;
  const previous = state.detail?.lead?.status;
  select.disabled = true;
  try {
    await api(`/api/admin/leads/${encodeURIComponent(id)}`, { method: 'PATCH', body: { status: select.value } });
    toast(`Status set to ${select.value}.`);
  } catch (error) {
    if (previous) select.value = previous;
    reportError('Could not change the status', error);
  } finally {
    select.disabled = false;
  }
  scheduleRefresh({ detail: true });
}

function renderDetail() {
  const aside = $('detail');
  markSelectedRow();
  if (!state.selectedId) {
    aside.replaceChildren();
    return;
  }
  const close = h('button', { type: 'button', class: 'ghost', 'aria-label': 'Close', onclick: closeDetail }, '✕');
  if (!state.detail) {
    aside.replaceChildren(h('div', { class: 'detail-head' }, h('h2', { class: 'muted' }, 'Loading…'), close));
    return;
  }
  if (state.detail.error) {
    aside.replaceChildren(h('div', { class: 'detail-head' }, h('h2', {}, 'Lead'), close), h('p', { class: 'error' }, state.detail.error));
    return;
  }
  const { lead, messages, timeline, deliveries, tasks } = state.detail;
  const info = slaInfo(lead);

  const respondButton = h('button', { type: 'button', class: 'primary', id: 'respond', onclick: respond }, 'Mark as answered');
  if (lead.first_response_at) {
    respondButton.disabled = true;
    respondButton.textContent = 'Answered';
  }
  const statusSelect = h(
    'select',
    { id: 'status-select', 'aria-label': 'Status', onchange: (event) => changeStatus(event.target) },
    LEAD_STATUSES.map((status) => h('option', { value: status, selected: status === lead.status }, status)),
  );

  aside.replaceChildren(
    h('div', { class: 'detail-head' }, h('h2', { id: 'detail-name' }, lead.name || '(no name)'), close),
    h(
      'div',
      { class: 'detail-badges' },
      qualityBadge(lead.quality),
      h('span', { class: 'badge', title: 'Lead score' }, `score ${lead.score}`),
      statusBadge(lead.status),
      h('span', { class: 'badge' }, lead.source),
      h('span', { class: 'sla', dataset: { state: info.state } }, info.text),
    ),
    h('div', { class: 'detail-actions' }, respondButton, h('label', { for: 'status-select' }, 'Status'), statusSelect),
    section(
      'Contact',
      keyValues([
        ['Email', lead.email ? h('a', { href: `mailto:${lead.email}` }, lead.email) : null],
        ['Phone', lead.phone ? h('a', { href: `tel:${lead.phone}` }, lead.phone) : null],
        ['Received', absoluteTime(lead.created_at)],
        ['Respond by', absoluteTime(lead.sla_response_deadline)],
        ['First response', lead.first_response_at ? absoluteTime(lead.first_response_at) : 'not yet'],
      ]),
    ),
    section('Why this score', scoreReasons(lead.score_reasons)),
    section('Delivery', deliveryChips(deliveries)),
    section('Messages', messageList(messages)),
    section('Timeline', timelineList(timeline)),
    section('Follow-up tasks', taskList(tasks)),
    section(
      'Details',
      keyValues([
        ['Subject', lead.subject],
        ['Message', lead.message],
        ['Service', lead.service_type],
        ['Urgency', lead.urgency],
        ['Property', [lead.property_title, lead.property_id ? `(${lead.property_id})` : null].filter(Boolean).join(' ')],
        ['External id', lead.external_id],
        ...objectEntries(lead.custom_fields),
        ...objectEntries(lead.metadata),
        ['Consent', lead.consent === null || lead.consent === undefined ? null : JSON.stringify(lead.consent)],
        ['Lead id', lead.id],
      ]),
    ),
  );
}

function objectEntries(value) {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).map(([name, entry]) => [name, typeof entry === 'string' ? entry : JSON.stringify(entry)]);
}

function scoreReasons(reasons) {
  if (!Array.isArray(reasons) || reasons.length === 0) return h('p', { class: 'muted' }, 'No scoring signals.');
  return h(
    'ul',
    { class: 'reasons' },
    reasons.map((reason) =>
      h('li', {}, h('span', { class: 'points' }, `${reason.points > 0 ? '+' : ''}${reason.points ?? ''}`), reason.detail ?? reason.code ?? ''),
    ),
  );
}

function deliveryChips(deliveries) {
  if (!Array.isArray(deliveries) || deliveries.length === 0) return h('p', { class: 'muted' }, 'No deliveries yet.');
  const byEvent = new Map();
  for (const delivery of deliveries) {
    const key = `${delivery.event_type} #${delivery.event_id}`;
    if (!byEvent.has(key)) byEvent.set(key, []);
    byEvent.get(key).push(delivery);
  }
  return h(
    'dl',
    { class: 'kv' },
    [...byEvent.entries()].map(([event, items]) => [
      h('dt', {}, event.split(' ')[0]),
      h(
        'dd',
        { class: 'chips' },
        items.map((item) =>
          h(
            'span',
            {
              class: 'chip',
              dataset: { status: item.status, channel: item.channel },
              title: [`attempt ${item.attempt}`, item.error_message].filter(Boolean).join(': '),
            },
            `${item.channel} · ${item.status}`,
          ),
        ),
      ),
    ]),
  );
}

function messageList(messages) {
  if (!Array.isArray(messages) || messages.length === 0) return h('p', { class: 'muted' }, 'No messages.');
  return h(
    'div',
    { class: 'messages' },
    messages.map((message) =>
      h(
        'div',
        { class: 'message', dataset: { role: message.role } },
        h('div', { class: 'message-meta' }, `${message.role} · ${absoluteTime(message.sent_at)}`),
        message.content,
      ),
    ),
  );
}

function timelineList(timeline) {
  if (!Array.isArray(timeline) || timeline.length === 0) return h('p', { class: 'muted' }, 'Nothing yet.');
  return h(
    'ol',
    { class: 'timeline', id: 'timeline' },
    timeline.map((entry) =>
      h(
        'li',
        { dataset: { eventType: entry.event_type } },
        h('div', { class: 'timeline-title' }, entry.title),
        entry.description ? h('div', { class: 'timeline-description' }, entry.description) : null,
        h('div', { class: 'timeline-meta' }, `${entry.event_type} · ${entry.actor_type}${entry.actor_id ? ` (${entry.actor_id})` : ''} · `, timeElement(entry.created_at)),
      ),
    ),
  );
}

function taskList(tasks) {
  if (!Array.isArray(tasks) || tasks.length === 0) return h('p', { class: 'muted' }, 'No follow-up tasks.');
  return h(
    'ul',
    { class: 'tasks' },
    tasks.map((task) =>
      h('li', {}, h('span', { class: 'badge' }, task.status), ' ', task.title, ' · due ', timeElement(task.follow_up_date)),
    ),
  );
}

// ---------------------------------------------------------------- SLA banner

async function loadSla() {
  try {
    state.sla = await api('/api/admin/sla');
  } catch (error) {
    // 404 while the SLA routes are not deployed: no banner rather than an error every minute.
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    state.sla = null;
  }
  renderSla();
}

/** `{at_risk, breached, leads: [...]}`; soonest deadline first, so the most overdue lead leads. */
function slaLeads(data) {
  const leads = Array.isArray(data?.leads) ? data.leads : [];
  return leads
    .map((lead) => ({ ...lead, deadline: Date.parse(lead.sla_deadline ?? lead.sla_response_deadline) }))
    .sort((a, b) => a.deadline - b.deadline);
}

function renderSla() {
  const banner = $('sla-banner');
  const leads = slaLeads(state.sla);
  if (leads.length === 0) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  const breached = leads.filter((lead) => lead.sla_state === 'breached').length;
  const atRisk = leads.length - breached;
  const breachedTotal = typeof state.sla.breached === 'number' ? state.sla.breached : breached;
  const atRiskTotal = typeof state.sla.at_risk === 'number' ? state.sla.at_risk : atRisk;
  const parts = [];
  if (breachedTotal > 0) parts.push(`${breachedTotal} ${breachedTotal === 1 ? 'lead has' : 'leads have'} breached the response deadline`);
  if (atRiskTotal > 0) parts.push(`${atRiskTotal} at risk`);
  const shown = leads.slice(0, 12);
  banner.dataset.level = breachedTotal > 0 ? 'breached' : 'at_risk';
  banner.replaceChildren(
    h('div', { class: 'sla-banner-title' }, parts.join(' · ')),
    h(
      'ul',
      { class: 'sla-list' },
      shown.map((lead) => {
        const ms = lead.deadline - Date.now();
        return h(
          'li',
          {
            class: 'sla-item',
            dataset: { state: lead.sla_state, id: lead.id },
            tabindex: 0,
            onclick: () => openLead(lead.id),
            onkeydown: (event) => {
              if (event.key === 'Enter') openLead(lead.id);
            },
          },
          qualityBadge(lead.quality),
          h('span', { class: 'sla-name' }, lead.name || '(no name)'),
          h('span', { class: 'sla-when' }, ms < 0 ? `${formatDuration(ms)} overdue` : `${formatDuration(ms)} left`),
        );
      }),
      leads.length > shown.length ? h('li', { class: 'muted' }, `+${leads.length - shown.length} more`) : null,
    ),
  );
  banner.hidden = false;
}

// ---------------------------------------------------------------- stats and deliveries switch

async function loadStats() {
  state.stats = await api('/api/admin/stats');
  renderStats();
}

const KNOWN_STAT_KEYS = new Set(['leads', 'sla', 'deliveries', 'dead_letters', 'outbox', 'generated_at']);

function renderStats() {
  const stats = state.stats;
  if (!stats) return;
  const card = (label, value, note) =>
    h('div', { class: 'stat card', dataset: { stat: label } }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), note ? h('div', { class: 'stat-note' }, note) : null);
  const compliance = stats.sla?.compliance_percent;
  const cards = [
    card('Today', String(stats.leads?.today ?? 0), `${stats.leads?.total ?? 0} in total`),
    card('New', String(stats.leads?.by_status?.new ?? 0), 'waiting for a first answer'),
    card('Hot', String(stats.leads?.by_quality?.hot ?? 0), 'all time'),
    card('SLA compliance', compliance === null || compliance === undefined ? '—' : `${compliance}%`, `last ${stats.sla?.window_days ?? 30} days`),
    card('Overdue', String(stats.sla?.overdue ?? 0), `${stats.sla?.at_risk ?? 0} at risk`),
    card('Dead letters', String(stats.dead_letters?.total ?? 0)),
    card('Outbox', String(stats.outbox?.unprocessed ?? 0), 'events waiting'),
  ];
  // Numbers other modules plug in (e.g. Meta leads recovered by polling) show up as extra cards.
  for (const [name, value] of Object.entries(stats)) {
    if (!KNOWN_STAT_KEYS.has(name) && typeof value === 'number') cards.push(card(name.replace(/_/g, ' '), String(value)));
  }
  $('stats').replaceChildren(...cards);

  const dead = stats.dead_letters?.total ?? 0;
  $('dead-count').textContent = String(dead);
  $('dead-count').hidden = dead === 0;
  $('known-sources').replaceChildren(...Object.keys(stats.leads?.by_source ?? {}).sort().map((source) => h('option', { value: source })));
}

function showDeliveryState(paused) {
  const badge = $('delivery-state');
  badge.dataset.state = paused === undefined ? 'unknown' : paused ? 'paused' : 'running';
  badge.textContent = paused === undefined ? 'Deliveries' : paused ? 'Deliveries paused' : 'Deliveries running';
  $('pause').hidden = paused === true;
  $('resume').hidden = paused === false;
}

async function loadDeliveryState() {
  try {
    const data = await api('/api/admin/deliveries');
    showDeliveryState(typeof data?.paused === 'boolean' ? data.paused : undefined);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    showDeliveryState(undefined);
  }
}

async function setPaused(paused) {
  if (paused && !confirm('Pause all outbound deliveries? Leads are still captured and queued.')) return;
  try {
    const data = await api(paused ? '/api/admin/pause' : '/api/admin/resume', { method: 'POST', body: {} });
    showDeliveryState(typeof data?.paused === 'boolean' ? data.paused : paused);
    toast(paused ? 'Deliveries paused.' : 'Deliveries resumed.');
  } catch (error) {
    reportError(paused ? 'Could not pause' : 'Could not resume', error);
  }
}

// ---------------------------------------------------------------- dead letters

async function loadFailed() {
  state.failed = await api('/api/admin/failed');
  renderFailed();
}

async function retry(id, button) {
  button.disabled = true;
  try {
    await api(`/api/admin/failed/${encodeURIComponent(id)}/retry`, { method: 'POST', body: {} });
    toast('Sent for another try.');
  } catch (error) {
    button.disabled = false;
    reportError('Could not retry', error);
  }
  scheduleRefresh();
}

function renderFailed() {
  const data = state.failed ?? {};
  const deliveries = Array.isArray(data.deliveries) ? data.deliveries : [];
  const ingestion = Array.isArray(data.ingestion) ? data.ingestion : [];
  const retryButton = (id) => {
    const button = h('button', { type: 'button', class: 'small' }, 'Retry');
    button.addEventListener('click', () => retry(id, button));
    return button;
  };
  $('failed-deliveries').tBodies[0].replaceChildren(
    ...deliveries.map((item) =>
      h(
        'tr',
        { dataset: { id: item.id } },
        h('td', {}, timeElement(item.failed_at)),
        h('td', {}, item.conversation_id ? h('a', { href: `#/leads/${item.conversation_id}` }, item.lead_name || '(no name)') : '—'),
        h('td', {}, item.event_type),
        h('td', {}, item.channel),
        h('td', {}, String(item.attempt ?? '')),
        h('td', { class: 'error-text' }, [item.error_kind, item.error_message].filter(Boolean).join(': ')),
        h('td', {}, retryButton(item.id)),
      ),
    ),
  );
  $('failed-deliveries-empty').hidden = deliveries.length > 0;
  $('failed-ingestion').tBodies[0].replaceChildren(
    ...ingestion.map((item) =>
      h(
        'tr',
        { dataset: { id: item.id } },
        h('td', {}, timeElement(item.received_at)),
        h('td', {}, item.source),
        h('td', {}, item.external_id ?? '—'),
        h('td', {}, String(item.attempts ?? '')),
        h('td', { class: 'error-text' }, item.error_message ?? ''),
        h('td', {}, retryButton(item.id)),
      ),
    ),
  );
  $('failed-ingestion-empty').hidden = ingestion.length > 0;
}

// ---------------------------------------------------------------- refresh

/**
 * Coalesces refresh requests. The table, stats and banner always reload; the open lead only when an event
 * touched it (or `all`, after the live stream (re)opens); the dead letters while that view is open.
 */
function scheduleRefresh(what = {}) {
  const pending = state.pending ?? { detail: false };
  pending.detail ||= Boolean(what.detail || what.all);
  state.pending = pending;
  if (state.pendingTimer !== undefined) return;
  state.pendingTimer = setTimeout(() => {
    const run = state.pending;
    state.pending = null;
    state.pendingTimer = undefined;
    const work = [loadLeads(), loadSla(), throttledStats()];
    if (run.detail && state.selectedId) work.push(loadDetail());
    if (state.view === 'failed') work.push(loadFailed());
    Promise.all(work).catch((error) => reportError('Could not refresh', error));
  }, REFRESH_DELAY_MS);
}

let statsLoadedAt = 0;
let statsTimer;
/** Reloads the stats now, or once when the minimum interval is over if they were read just now. */
function throttledStats() {
  const wait = statsLoadedAt + STATS_MIN_INTERVAL_MS - Date.now();
  if (wait <= 0) {
    statsLoadedAt = Date.now();
    return loadStats();
  }
  if (statsTimer === undefined) {
    statsTimer = setTimeout(() => {
      statsTimer = undefined;
      statsLoadedAt = Date.now();
      loadStats().catch((error) => reportError('Could not refresh the stats', error));
    }, wait);
  }
  return Promise.resolve();
}

function onLiveEvent(event) {
  if (!event || typeof event !== 'object') return;
  scheduleRefresh({ detail: state.selectedId !== null && event.conversation_id === state.selectedId });
}

// ---------------------------------------------------------------- live updates

function setLive(status, label) {
  const indicator = $('live');
  indicator.dataset.state = status;
  indicator.textContent = label ?? (status === 'live' ? 'live' : status);
}

function stopLive() {
  state.live?.close();
  state.live = null;
}

/** Server-Sent Events from /api/admin/stream; EventSource cannot send headers, so the key rides in the URL. */
function connectSse() {
  let source;
  let retryTimer;
  let closed = false;
  const open = () => {
    source = new EventSource(`/api/admin/stream?key=${encodeURIComponent(state.key)}`);
    source.addEventListener('open', () => {
      setLive('live', 'live');
      // Whatever happened while the stream was down is picked up here.
      scheduleRefresh({ all: true });
    });
    source.addEventListener('message', (message) => {
      try {
        onLiveEvent(JSON.parse(message.data));
      } catch {
        // not an event we understand: ignore
      }
    });
    source.addEventListener('error', () => {
      if (closed) return;
      setLive('reconnecting', 'reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. a 401 or 503): check the key, then try again ourselves.
        api('/api/admin/stats').catch(() => undefined);
        retryTimer = setTimeout(() => {
          if (!closed && state.key) open();
        }, 5_000);
      }
    });
  };
  open();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      source?.close();
    },
  };
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = h('script', { src });
    script.addEventListener('load', resolve);
    script.addEventListener('error', () => reject(new Error(`could not load ${src}`)));
    document.head.append(script);
  });
}

async function supabaseClient() {
  if (state.supabase) return state.supabase;
  await loadScript('/admin/vendor/supabase.js');
  const { url, anon_key: anonKey } = state.config.supabase;
  state.supabase = window.supabase.createClient(url, anonKey, { auth: { storage: window.sessionStorage, persistSession: true } });
  return state.supabase;
}

/**
 * Supabase Realtime on lead_events inserts. Row-level security lets only signed-in staff read the
 * table, so without a Supabase Auth session the panel stays on the server's stream and offers a sign-in.
 */
async function connectSupabase() {
  let client;
  try {
    client = await supabaseClient();
  } catch (error) {
    toast(`Supabase Realtime unavailable (${error.message}); using the server stream.`, 'error');
    return connectSse();
  }
  const { data } = await client.auth.getSession();
  if (!data?.session) {
    $('supabase-signin').hidden = false;
    return connectSse();
  }
  $('supabase-signin').hidden = true;
  let fallback = null;
  const channel = client
    .channel('leadline-admin-events')
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'lead_events' }, (payload) => {
      const row = payload.new ?? {};
      onLiveEvent({ id: String(row.id), event_type: row.event_type, conversation_id: row.conversation_id ?? null, created_at: row.created_at });
    })
    .subscribe((status) => {
      if (status === 'SUBSCRIBED') {
        setLive('live', 'live (Supabase)');
        scheduleRefresh({ all: true });
      } else if ((status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') && !fallback) {
        toast('Supabase Realtime failed; using the server stream.', 'error');
        client.removeChannel(channel);
        fallback = connectSse();
      }
    });
  return {
    close() {
      client.removeChannel(channel);
      fallback?.close();
    },
  };
}

async function startLive() {
  stopLive();
  setLive('connecting', 'connecting');
  state.live = state.config.live_updates === 'supabase' && state.config.supabase ? await connectSupabase() : connectSse();
}

async function onSupabaseSignIn(event) {
  event.preventDefault();
  $('supabase-error').textContent = '';
  try {
    const client = await supabaseClient();
    const { error } = await client.auth.signInWithPassword({ email: $('supabase-email').value, password: $('supabase-password').value });
    if (error) {
      $('supabase-error').textContent = error.message;
      return;
    }
    $('supabase-password').value = '';
    $('supabase-dialog').close();
    await startLive();
  } catch (error) {
    $('supabase-error').textContent = error instanceof Error ? error.message : String(error);
  }
}

// ---------------------------------------------------------------- start

function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  route();
  Promise.all([loadLeads(), throttledStats(), loadSla(), loadDeliveryState()]).catch((error) => reportError('Could not load the panel', error));
  startLive().catch((error) => reportError('Live updates failed', error));
  for (const timer of state.timers) clearInterval(timer);
  state.timers = [
    setInterval(() => {
      renderLeads();
      renderSla();
    }, TICK_MS),
    setInterval(() => loadSla().catch(() => undefined), SLA_POLL_MS),
  ];
}

async function boot() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', () => signOut());
  $('pause').addEventListener('click', () => setPaused(true));
  $('resume').addEventListener('click', () => setPaused(false));
  $('load-more').addEventListener('click', () => loadLeads({ append: true }).catch((error) => reportError('Could not load more', error)));
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  for (const id of ['filter-q', 'filter-source']) $(id).addEventListener('input', onFilterChange);
  for (const id of ['filter-status', 'filter-quality']) $(id).addEventListener('change', onFilterChange);
  $('filter-clear').addEventListener('click', () => {
    $('filters').reset();
    onFilterChange();
  });
  $('supabase-signin').addEventListener('click', () => $('supabase-dialog').showModal());
  $('supabase-cancel').addEventListener('click', () => $('supabase-dialog').close());
  $('supabase-form').addEventListener('submit', onSupabaseSignIn);
  window.addEventListener('hashchange', route);

  try {
    const response = await fetch('/admin/config.json', { cache: 'no-store' });
    if (response.ok) state.config = await response.json();
  } catch {
    // keep the SSE default
  }
  if (state.key) start();
  else showLogin();
}

boot();
