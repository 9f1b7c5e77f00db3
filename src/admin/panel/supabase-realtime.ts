import type { createClient, SupabaseClient } from '@supabase/supabase-js';
import type { StreamedEvent } from '../streamed-event.ts';
import { byId, h } from './dom.ts';
import type { LiveStream } from './live-stream.ts';
import { toast } from './notify.ts';

declare global {
  interface Window {
    /** Set by /admin/vendor/supabase.js, the supabase-js browser build (loaded only in Supabase mode). */
    supabase?: { createClient: typeof createClient };
  }
}

/** The `lead_events` columns a Realtime INSERT carries that the panel reads. */
interface LeadEventRow {
  id: number | string;
  event_type: string;
  conversation_id: string | null;
  created_at: string;
}

export interface SupabaseLive {
  /** Realtime if a Supabase Auth session exists, else (or when Realtime fails) the server's own stream. */
  connect(): Promise<LiveStream>;
  /** Signs in to Supabase Auth; rejects with Supabase's message when that fails. */
  signIn(email: string, password: string): Promise<void>;
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = h('script', { src });
    script.addEventListener('load', () => resolve());
    script.addEventListener('error', () => reject(new Error(`could not load ${src}`)));
    document.head.append(script);
  });
}

/**
 * Supabase Realtime on `lead_events` inserts. Row-level security lets only signed-in staff read the table,
 * so without a Supabase Auth session the panel stays on the server's stream and offers a sign-in.
 */
export function createSupabaseLive(deps: {
  url: string;
  anonKey: string;
  onEvent: (event: StreamedEvent) => void;
  onLive: (label: string) => void;
  /** The server's stream, used until (or instead of) Realtime. */
  fallback: () => LiveStream;
}): SupabaseLive {
  let client: SupabaseClient | undefined;

  async function getClient(): Promise<SupabaseClient> {
    if (client) return client;
    await loadScript('/admin/vendor/supabase.js');
    if (!window.supabase) throw new Error('supabase-js did not load');
    client = window.supabase.createClient(deps.url, deps.anonKey, { auth: { storage: window.sessionStorage, persistSession: true } });
    return client;
  }

  async function connect(): Promise<LiveStream> {
    let supabase: SupabaseClient;
    try {
      supabase = await getClient();
    } catch (error) {
      toast(`Supabase Realtime unavailable (${error instanceof Error ? error.message : String(error)}); using the server stream.`, 'error');
      return deps.fallback();
    }
    const { data } = await supabase.auth.getSession();
    const signIn = byId('supabase-signin');
    if (!data.session) {
      signIn.hidden = false;
      return deps.fallback();
    }
    signIn.hidden = true;
    let fallback: LiveStream | undefined;
    const channel = supabase
      .channel('leadline-admin-events')
      .on<LeadEventRow>('postgres_changes', { event: 'INSERT', schema: 'public', table: 'lead_events' }, (payload) => {
        const row = payload.new;
        deps.onEvent({
          id: String(row.id),
          event_type: row.event_type,
          conversation_id: row.conversation_id ?? null,
          created_at: row.created_at,
        });
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') {
          deps.onLive('live (Supabase)');
        } else if ((status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') && !fallback) {
          toast('Supabase Realtime failed; using the server stream.', 'error');
          void supabase.removeChannel(channel);
          fallback = deps.fallback();
        }
      });
    return {
      close() {
        void supabase.removeChannel(channel);
        fallback?.close();
      },
    };
  }

  return {
    connect,
    async signIn(email, password) {
      const supabase = await getClient();
      const { error } = await supabase.auth.signInWithPassword({ email, password });
      if (error) throw error;
    },
  };
}
