import { LEAD_QUALITIES, LEAD_STATUSES } from '../../leads/lead-vocabulary.ts';
import type { AdminApi, LeadRow } from './api.ts';
import { qualityBadge, slaElement, statusBadge } from './badges.ts';
import { activates, byId, h } from './dom.ts';
import { timeElement } from './format-time.ts';
import { reportError } from './notify.ts';

/** Matches DEFAULT_PAGE_SIZE and MAX_PAGE_SIZE of admin-query-schemas.ts (the API rejects more). */
const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** Typing in a filter box reloads once the typing pauses this long. */
const FILTER_DELAY_MS = 250;

export interface LeadsTable {
  /** Reads the leads the table shows now (as many rows as are on screen); resolves to the step that draws them. */
  load(): Promise<() => void>;
  /** Redraws relative times ("5 min ago") without asking the server. */
  redraw(): void;
  markSelected(id: string | null): void;
}

interface Filters {
  q: string;
  status: string;
  quality: string;
  source: string;
}

/** The leads table, its filters and "Load more". Rows that were not there before a live refresh flash once. */
export function createLeadsTable(deps: { api: AdminApi; openLead: (id: string) => void; selectedId: () => string | null }): LeadsTable {
  const body = byId('leads-body', HTMLTableSectionElement);
  const loadMore = byId('load-more', HTMLButtonElement);
  let filters: Filters = { q: '', status: '', quality: '', source: '' };
  let leads: LeadRow[] = [];
  let nextCursor: string | null = null;
  const knownIds = new Set<string>();
  let loadedOnce = false;
  /** Only the latest load draws: a refresh that started before a filter change must not overwrite it. */
  let loadSeq = 0;

  fillOptions(byId('filter-status', HTMLSelectElement), LEAD_STATUSES);
  fillOptions(byId('filter-quality', HTMLSelectElement), LEAD_QUALITIES);

  function query(append: boolean): URLSearchParams {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value);
    // A refresh fetches as many rows as are on screen, so "Load more" results stay put on live updates.
    params.set('limit', String(append ? PAGE_SIZE : Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, leads.length))));
    if (append && nextCursor) params.set('cursor', nextCursor);
    return params;
  }

  async function load(append = false): Promise<() => void> {
    const seq = ++loadSeq;
    const page = await deps.api.leads(query(append));
    return () => {
      if (seq !== loadSeq) return;
      const fresh = new Set<string>();
      if (loadedOnce) for (const lead of page.items) if (!knownIds.has(lead.id)) fresh.add(lead.id);
      for (const lead of page.items) knownIds.add(lead.id);
      leads = append ? [...leads, ...page.items] : page.items;
      nextCursor = page.next_cursor;
      loadedOnce = true;
      draw(fresh);
    };
  }

  function row(lead: LeadRow, fresh: boolean): HTMLTableRowElement {
    return h(
      'tr',
      {
        dataset: { id: lead.id },
        class: [fresh ? 'fresh' : '', lead.id === deps.selectedId() ? 'selected' : ''].join(' ').trim(),
        ...activates(() => deps.openLead(lead.id)),
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
    );
  }

  function draw(fresh = new Set<string>()): void {
    body.replaceChildren(...leads.map((lead) => row(lead, fresh.has(lead.id))));
    byId('leads-empty').hidden = leads.length > 0;
    loadMore.hidden = !nextCursor;
    if (loadMore.parentElement) loadMore.parentElement.hidden = !nextCursor;
  }

  const reload = () => {
    load().then(
      (show) => show(),
      (error: unknown) => reportError('Could not load leads', error),
    );
  };

  let filterTimer: ReturnType<typeof setTimeout> | undefined;
  const onFilterChange = () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      filters = {
        q: byId('filter-q', HTMLInputElement).value.trim(),
        status: byId('filter-status', HTMLSelectElement).value,
        quality: byId('filter-quality', HTMLSelectElement).value,
        source: byId('filter-source', HTMLInputElement).value.trim().toLowerCase(),
      };
      leads = [];
      reload();
    }, FILTER_DELAY_MS);
  };
  const form = byId('filters', HTMLFormElement);
  form.addEventListener('submit', (event) => event.preventDefault());
  for (const id of ['filter-q', 'filter-source']) byId(id).addEventListener('input', onFilterChange);
  for (const id of ['filter-status', 'filter-quality']) byId(id).addEventListener('change', onFilterChange);
  byId('filter-clear').addEventListener('click', () => {
    form.reset();
    onFilterChange();
  });
  loadMore.addEventListener('click', () => {
    load(true).then(
      (show) => show(),
      (error: unknown) => reportError('Could not load more', error),
    );
  });

  return {
    load: () => load(),
    redraw: () => draw(),
    markSelected(id) {
      for (const tr of Array.from(body.rows)) tr.classList.toggle('selected', tr.dataset['id'] === id);
    },
  };
}

/** The filter choices come from the server's own list, after the page's "Any …" option. */
function fillOptions(select: HTMLSelectElement, values: readonly string[]): void {
  select.append(...values.map((value) => h('option', { value }, value.charAt(0).toUpperCase() + value.slice(1))));
}
