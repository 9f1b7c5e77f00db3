// The website embed, bundled into /embed.js by the server (src/embed/embed-routes.ts). One script tag
// renders a form where it stands, in a shadow root; every submission goes through the page's one outbox,
// which keeps it in localStorage until the server acknowledged it. No dependencies, nothing global but
// the outbox (shared by every embed on the page, whatever their number) and the `leadline-embed` elements.
import { collectMetadata, readUtm, type Utm } from './collect-metadata.ts';
import { EMBED_CSS } from './embed-styles.ts';
import { mountChat } from './mount-chat.ts';
import { mountLeadForm } from './mount-lead-form.ts';
import { openPendingStore, type PendingStore } from './open-pending-store.ts';
import { readEmbedOptions } from './read-embed-options.ts';
import { sendSubmission } from './send-submission.ts';
import { startOutbox, type Outbox } from './start-outbox.ts';
import { dispatchSubmitted } from './submit-lead.ts';

/** Versioned, so a newer embed on the same page never talks to an older one's outbox through a changed shape. */
const OUTBOX_SLOT = Symbol.for('leadline.embed.outbox.v1');
const UTM_STORAGE = 'leadline.utm';

interface PageOutbox {
  outbox: Outbox;
  store: PendingStore;
  /** `Date.now()` when this page's outbox started: submissions saved before it came from earlier pages. */
  startedAt: number;
}

/** The page's outbox: started by the first embed script that runs, shared by the rest. */
function pageOutbox(): PageOutbox {
  const slots = globalThis as unknown as Record<symbol, PageOutbox | undefined>;
  const existing = slots[OUTBOX_SLOT];
  if (existing) return existing;
  let storage: Storage | undefined;
  try {
    storage = localStorage;
  } catch {
    // Storage blocked by the browser's settings: submissions are kept for this page only.
  }
  const store = openPendingStore(storage);
  const startedAt = Date.now();
  const outbox = startOutbox({
    store,
    send: sendSubmission,
    listenerFor: (submission) => ({
      acknowledged: (id) => dispatchSubmitted(document, { id, form: submission.form, delayed: true }),
      refused: (answer) => console.warn(`Leadline embed: a saved ${submission.form} submission was refused and dropped: ${answer.detail}`),
      waiting: () => {},
    }),
    now: Date.now,
    random: Math.random,
    onOnline: (callback) => addEventListener('online', callback),
  });
  const created: PageOutbox = { outbox, store, startedAt };
  slots[OUTBOX_SLOT] = created;
  return created;
}

/** UTM parameters of this page, remembered for the visit, or those remembered from an earlier page of it. */
function rememberedUtm(): Utm | undefined {
  try {
    const current = readUtm(location.href);
    if (current) sessionStorage.setItem(UTM_STORAGE, JSON.stringify(current));
    return (JSON.parse(sessionStorage.getItem(UTM_STORAGE) ?? 'null') as Utm | null) ?? undefined;
  } catch {
    return undefined;
  }
}

function whenBodyExists(run: () => void): void {
  if (document.body) run();
  else document.addEventListener('DOMContentLoaded', run, { once: true });
}

function mount(script: HTMLScriptElement, page: PageOutbox): void {
  const options = readEmbedOptions(script.dataset, script.src);
  if (typeof options === 'string') {
    console.warn(`Leadline embed: ${options}; nothing is shown.`);
    return;
  }
  if (script.dataset['consent'] !== undefined && options.form !== 'contact') {
    console.warn(
      `Leadline embed: data-consent applies to data-form="contact" only (the ${options.form} route takes no consent); it is ignored.`,
    );
  }
  const host = document.createElement('leadline-embed');
  host.dataset['form'] = options.form;
  host.dataset['theme'] = options.theme;
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(EMBED_CSS);
  root.adoptedStyleSheets = [sheet];

  const utm = rememberedUtm();
  const context = {
    host,
    options,
    outbox: page.outbox,
    metadata: () => collectMetadata({ url: location.href, referrer: document.referrer }, utm, options.country),
    pendingEarlier: () =>
      page.store.list(Date.now()).some((submission) => submission.url === options.endpoint && submission.savedAt < page.startedAt),
  };
  if (options.form === 'chat') mountChat(root, context);
  else mountLeadForm(root, context);

  // Where the tag stands; a tag in <head> puts the form at the end of the body.
  if (script.parentElement && script.parentElement !== document.head) script.before(host);
  else whenBodyExists(() => document.body.append(host));
}

// Read at once: document.currentScript is only set while this script runs.
const script = document.currentScript;
const page = pageOutbox();
if (script instanceof HTMLScriptElement && script.src) mount(script, page);
