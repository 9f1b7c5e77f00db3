import type { AdminApi, DeadLettersResponse } from './api.ts';
import { byId, h } from './dom.ts';
import { timeElement } from './format-time.ts';
import { reportError, toast } from './notify.ts';

export interface DeadLetterList {
  /** Reads the dead deliveries and failed provider payloads; resolves to the step that draws them. */
  load(): Promise<() => void>;
}

/** The "Dead letters" view: what gave up, with a retry button for each. */
export function createDeadLetters(deps: { api: AdminApi; refresh: () => void }): DeadLetterList {
  const deliveriesTable = byId('failed-deliveries', HTMLTableElement);
  const ingestionTable = byId('failed-ingestion', HTMLTableElement);

  async function retry(id: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await deps.api.retry(id);
      toast('Sent for another try.');
    } catch (error) {
      button.disabled = false;
      reportError('Could not retry', error);
    }
    deps.refresh();
  }

  function retryButton(id: string): HTMLButtonElement {
    const button: HTMLButtonElement = h('button', { type: 'button', class: 'small', onclick: () => void retry(id, button) }, 'Retry');
    return button;
  }

  function draw({ deliveries, ingestion }: DeadLettersResponse): void {
    deliveriesTable.tBodies[0]?.replaceChildren(
      ...deliveries.map((item) =>
        h(
          'tr',
          { dataset: { id: item.id } },
          h('td', {}, timeElement(item.failed_at)),
          h('td', {}, item.conversation_id ? h('a', { href: `#/leads/${item.conversation_id}` }, item.lead_name || '(no name)') : '—'),
          h('td', {}, item.event_type),
          h('td', {}, item.channel),
          h('td', {}, String(item.attempt)),
          h('td', { class: 'error-text' }, [item.error_kind, item.error_message].filter(Boolean).join(': ')),
          h('td', {}, retryButton(item.id)),
        ),
      ),
    );
    byId('failed-deliveries-empty').hidden = deliveries.length > 0;
    ingestionTable.tBodies[0]?.replaceChildren(
      ...ingestion.map((item) =>
        h(
          'tr',
          { dataset: { id: item.id } },
          h('td', {}, timeElement(item.received_at)),
          h('td', {}, item.source),
          h('td', {}, item.external_id ?? '—'),
          h('td', {}, String(item.attempts)),
          h('td', { class: 'error-text' }, item.error_message ?? ''),
          h('td', {}, retryButton(item.id)),
        ),
      ),
    );
    byId('failed-ingestion-empty').hidden = ingestion.length > 0;
  }

  return {
    async load() {
      const letters = await deps.api.deadLetters();
      return () => draw(letters);
    },
  };
}
