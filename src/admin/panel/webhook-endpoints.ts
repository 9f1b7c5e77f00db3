import type { AdminApi, WebhookEndpointRow, WebhookEndpointsAnswer } from './api.ts';
import { byId, h } from './dom.ts';
import { timeElement } from './format-time.ts';
import { reportError, toast } from './notify.ts';

export interface WebhookEndpointList {
  /** Reads the outbound endpoints and their delivery state; resolves to the step that draws them. */
  load(): Promise<() => void>;
}

/** The "Webhooks" view: each outbound endpoint, its state and recent deliveries, and Enable for a disabled one. */
export function createWebhookEndpoints(deps: { api: AdminApi; refresh: () => void }): WebhookEndpointList {
  const table = byId('webhook-endpoints', HTMLTableElement);

  async function enable(name: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const answer = await deps.api.enableWebhookEndpoint(name);
      toast(answer.was_disabled ? `Enabled ${name}; ${answer.resent} held deliveries are on their way.` : `${name} was already enabled.`);
    } catch (error) {
      button.disabled = false;
      reportError('Could not enable the endpoint', error);
    }
    deps.refresh();
  }

  function stateCell(endpoint: WebhookEndpointRow): HTMLElement {
    if (endpoint.state === 'enabled') return h('td', {}, h('span', { class: 'badge status-converted' }, 'enabled'));
    return h(
      'td',
      {},
      h('span', { class: 'badge hot' }, 'disabled'),
      ' ',
      h('span', { class: 'muted' }, `${endpoint.disabled_reason ?? ''}, ${endpoint.held} held`),
    );
  }

  function draw({ endpoints }: WebhookEndpointsAnswer): void {
    table.tBodies[0]?.replaceChildren(
      ...endpoints.map((endpoint) => {
        const counts = endpoint.last_24h;
        const button: HTMLButtonElement | null =
          endpoint.state === 'disabled'
            ? h('button', { type: 'button', class: 'small', onclick: () => void enable(endpoint.name, button!) }, 'Enable')
            : null;
        return h(
          'tr',
          { dataset: { endpoint: endpoint.name, state: endpoint.state } },
          h('td', { title: endpoint.events.join(', ') }, endpoint.channel),
          h('td', {}, endpoint.url),
          stateCell(endpoint),
          h('td', {}, `${counts.sent} sent, ${counts.failed} failed, ${counts.dead} dead`),
          h('td', {}, endpoint.last_sent_at ? timeElement(endpoint.last_sent_at) : '—'),
          h('td', { class: 'error-text' }, endpoint.last_error ?? ''),
          h('td', {}, button),
        );
      }),
    );
    byId('webhook-endpoints-empty').hidden = endpoints.length > 0;
  }

  return {
    async load() {
      const answer = await deps.api.webhookEndpoints();
      return () => draw(answer);
    },
  };
}
