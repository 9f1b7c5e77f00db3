import { LEAD_STATUSES, type LeadStatus } from '../../leads/lead-vocabulary.ts';
import { ApiError, type AdminApi, type LeadDetailResponse } from './api.ts';
import { qualityBadge, slaElement, statusBadge } from './badges.ts';
import { byId, h, keyValues, section, type Child } from './dom.ts';
import { absoluteTime, timeElement } from './format-time.ts';
import { reportError, toast } from './notify.ts';

export interface LeadDetailPane {
  /** Shows the lead with this id (loading it), or closes the pane for null. */
  select(id: string | null): void;
  selectedId(): string | null;
  /** Re-reads the open lead; resolves to the step that draws it. */
  load(): Promise<() => void>;
}

type Shown = { kind: 'none' } | { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'lead'; detail: LeadDetailResponse };

/** The side pane with one lead: contact, score reasons, deliveries, messages, timeline, tasks, and the actions. */
export function createLeadDetail(deps: {
  api: AdminApi;
  close: () => void;
  /** After an action: the table, banner and stats change too. */
  refresh: (what: { detail: boolean }) => void;
  onSelect: (id: string | null) => void;
}): LeadDetailPane {
  const aside = byId('detail');
  let selected: string | null = null;
  let shown: Shown = { kind: 'none' };
  let loadSeq = 0;

  async function load(): Promise<() => void> {
    const id = selected;
    const seq = ++loadSeq;
    if (!id) return () => {};
    let next: Shown;
    try {
      next = { kind: 'lead', detail: await deps.api.lead(id) };
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw error;
      const notFound = error instanceof ApiError && error.status === 404;
      next = {
        kind: 'error',
        message: notFound ? 'This lead does not exist (any more).' : error instanceof Error ? error.message : String(error),
      };
    }
    return () => {
      if (seq !== loadSeq || id !== selected) return;
      shown = next;
      draw();
    };
  }

  async function respond(id: string): Promise<void> {
    try {
      const answer = await deps.api.respond(id);
      toast(answer.already_responded ? 'This lead was already answered.' : 'Marked as answered.');
    } catch (error) {
      reportError('Could not record the response', error);
    }
    deps.refresh({ detail: true });
  }

  async function changeStatus(id: string, select: HTMLSelectElement, previous: LeadStatus): Promise<void> {
    const status = LEAD_STATUSES.find((value) => value === select.value);
    if (!status) return;
    select.disabled = true;
    try {
      await deps.api.setStatus(id, status);
      toast(`Status set to ${status}.`);
    } catch (error) {
      select.value = previous;
      reportError('Could not change the status', error);
    } finally {
      select.disabled = false;
    }
    deps.refresh({ detail: true });
  }

  function draw(): void {
    aside.hidden = selected === null;
    document.querySelector('.split')?.classList.toggle('with-detail', selected !== null);
    if (shown.kind === 'none') {
      aside.replaceChildren();
      return;
    }
    const close = h('button', { type: 'button', class: 'ghost', 'aria-label': 'Close', onclick: deps.close }, '✕');
    if (shown.kind === 'loading') {
      aside.replaceChildren(h('div', { class: 'detail-head' }, h('h2', { class: 'muted' }, 'Loading…'), close));
      return;
    }
    if (shown.kind === 'error') {
      aside.replaceChildren(h('div', { class: 'detail-head' }, h('h2', {}, 'Lead'), close), h('p', { class: 'error' }, shown.message));
      return;
    }
    const { lead, messages, timeline, deliveries, tasks } = shown.detail;

    const respondButton = h(
      'button',
      { type: 'button', class: 'primary', id: 'respond', onclick: () => void respond(lead.id) },
      'Mark as answered',
    );
    if (lead.first_response_at) {
      respondButton.disabled = true;
      respondButton.textContent = 'Answered';
    }
    const statusSelect: HTMLSelectElement = h(
      'select',
      { id: 'status-select', 'aria-label': 'Status', onchange: () => void changeStatus(lead.id, statusSelect, lead.status) },
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
        slaElement(lead),
      ),
      h('div', { class: 'detail-actions' }, respondButton, h('label', { for: 'status-select' }, 'Status'), statusSelect),
      section(
        'Contact',
        keyValues([
          ['Email', lead.email ? h('a', { href: `mailto:${lead.email}` }, lead.email) : null],
          ['Phone', lead.phone ? h('a', { href: `tel:${lead.phone}` }, lead.phone) : null],
          ['Received', absoluteTime(lead.created_at)],
          ['Respond by', absoluteTime(lead.sla_deadline)],
          ['First response', lead.first_response_at ? absoluteTime(lead.first_response_at) : 'not yet'],
        ]),
      ),
      section('Why this score', scoreReasons(lead.score_reasons)),
      section('Consent', consentView(lead.consent)),
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
          ['Lead id', lead.id],
        ]),
      ),
    );
  }

  return {
    select(id) {
      if (id === selected) return;
      selected = id;
      loadSeq += 1;
      shown = id ? { kind: 'loading' } : { kind: 'none' };
      draw();
      deps.onSelect(id);
      if (id) {
        load().then(
          (show) => show(),
          (error: unknown) => reportError('Could not load the lead', error),
        );
      }
    },
    selectedId: () => selected,
    load,
  };
}

function objectEntries(value: Record<string, unknown>): [string, Child][] {
  return Object.entries(value).map(([name, entry]) => [name, typeof entry === 'string' ? entry : JSON.stringify(entry)]);
}

/** The consent record as a person reads it: given or declined, what was agreed to, when and on which page. */
function consentView(consent: LeadDetailResponse['lead']['consent']): HTMLElement {
  if (!consent) return h('p', { class: 'muted', id: 'consent' }, 'Not recorded: the form sent no consent field.');
  const boxes = consent.checkboxes?.map((box) => `${box.key}: ${box.checked ? 'checked' : 'not checked'}`).join(', ');
  return h(
    'div',
    { id: 'consent', dataset: { given: String(consent.given) } },
    keyValues([
      ['Given', consent.given ? 'yes' : 'no (declined)'],
      ['Version', consent.version],
      ['Wording', consent.text],
      ['When', absoluteTime(consent.given_at)],
      ['Page', consent.page],
      ['Through', consent.source],
      ['Checkboxes', boxes ?? null],
    ]),
  );
}

function scoreReasons(reasons: LeadDetailResponse['lead']['score_reasons']): HTMLElement {
  if (reasons.length === 0) return h('p', { class: 'muted' }, 'No scoring signals.');
  return h(
    'ul',
    { class: 'reasons' },
    reasons.map((reason) =>
      h('li', {}, h('span', { class: 'points' }, `${reason.points > 0 ? '+' : ''}${reason.points}`), reason.detail || reason.code),
    ),
  );
}

/** The latest attempt per channel, grouped by the event it delivers. */
function deliveryChips(deliveries: LeadDetailResponse['deliveries']): HTMLElement {
  if (deliveries.length === 0) return h('p', { class: 'muted' }, 'No deliveries yet.');
  const byEvent = new Map<string, LeadDetailResponse['deliveries']>();
  for (const delivery of deliveries) byEvent.set(delivery.event_id, [...(byEvent.get(delivery.event_id) ?? []), delivery]);
  return h(
    'dl',
    { class: 'kv' },
    [...byEvent.values()].map((items) => [
      h('dt', {}, items[0]?.event_type ?? ''),
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

function messageList(messages: LeadDetailResponse['messages']): HTMLElement {
  if (messages.length === 0) return h('p', { class: 'muted' }, 'No messages.');
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

function timelineList(timeline: LeadDetailResponse['timeline']): HTMLElement {
  if (timeline.length === 0) return h('p', { class: 'muted' }, 'Nothing yet.');
  return h(
    'ol',
    { class: 'timeline', id: 'timeline' },
    timeline.map((entry) =>
      h(
        'li',
        { dataset: { eventType: entry.event_type } },
        h('div', { class: 'timeline-title' }, entry.title),
        entry.description ? h('div', { class: 'timeline-description' }, entry.description) : null,
        h(
          'div',
          { class: 'timeline-meta' },
          `${entry.event_type} · ${entry.actor_type}${entry.actor_id ? ` (${entry.actor_id})` : ''} · `,
          timeElement(entry.created_at),
        ),
      ),
    ),
  );
}

function taskList(tasks: LeadDetailResponse['tasks']): HTMLElement {
  if (tasks.length === 0) return h('p', { class: 'muted' }, 'No follow-up tasks.');
  return h(
    'ul',
    { class: 'tasks' },
    tasks.map((task) =>
      h('li', {}, h('span', { class: 'badge' }, task.status), ' ', task.title, ' · due ', timeElement(task.follow_up_date)),
    ),
  );
}
