import { ApiError, type AdminApi } from './api.ts';
import { byId } from './dom.ts';
import { reportError, toast } from './notify.ts';

export interface DeliverySwitch {
  load(): Promise<void>;
}

/** The "Deliveries running / paused" badge and the pause and resume buttons. */
export function createDeliverySwitch(deps: { api: AdminApi }): DeliverySwitch {
  const badge = byId('delivery-state');

  /** `undefined`: this server has no delivery routes (404), so the state is unknown. */
  function show(paused: boolean | undefined): void {
    badge.dataset['state'] = paused === undefined ? 'unknown' : paused ? 'paused' : 'running';
    badge.textContent = paused === undefined ? 'Deliveries' : paused ? 'Deliveries paused' : 'Deliveries running';
    byId('pause').hidden = paused === true;
    byId('resume').hidden = paused === false;
  }

  async function setPaused(paused: boolean): Promise<void> {
    if (paused && !confirm('Pause all outbound deliveries? Leads are still captured and queued.')) return;
    try {
      show((await deps.api.setPaused(paused)).paused);
      toast(paused ? 'Deliveries paused.' : 'Deliveries resumed.');
    } catch (error) {
      reportError(paused ? 'Could not pause' : 'Could not resume', error);
    }
  }

  byId('pause').addEventListener('click', () => void setPaused(true));
  byId('resume').addEventListener('click', () => void setPaused(false));

  return {
    async load() {
      try {
        show((await deps.api.deliveries()).paused);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        show(undefined);
      }
    },
  };
}
