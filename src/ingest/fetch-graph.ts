import { networkErrorCode } from '../shared/network-error-code.ts';
import { classifyGraphError, GraphError } from './classify-graph-error.ts';
import { parseLosslessJson } from './parse-lossless-json.ts';

export interface GraphSettings {
  /** Base URL including the version, e.g. https://graph.facebook.com/v24.0 (META_GRAPH_URL). */
  graphUrl: string;
  accessToken: string | undefined;
}

/** Graph calls that hang must not hold an ingest job for its whole expiry. */
const GRAPH_TIMEOUT_MS = 15_000;

/**
 * GET `{graphUrl}/{path}?…&access_token=…`, parsed losslessly. Every failure is a GraphError with a kind
 * (token, rate_limited, transient, permanent) so callers decide between pausing, waiting and retrying.
 */
export async function fetchGraph(settings: GraphSettings, path: string, params: Record<string, string>): Promise<unknown> {
  if (!settings.accessToken) {
    throw new GraphError('token', 'META_ACCESS_TOKEN is not set, so leads cannot be read from the Graph API');
  }
  const url = new URL(`${settings.graphUrl}/${path}`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  url.searchParams.set('access_token', settings.accessToken);

  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(GRAPH_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    throw new GraphError('transient', `could not reach the Graph API (${networkErrorCode(error)})`);
  }
  let body: unknown;
  try {
    body = parseLosslessJson(text);
  } catch {
    body = undefined;
  }
  const isError = typeof body !== 'object' || body === null || 'error' in body;
  if (response.ok && !isError) return body;
  throw classifyGraphError(response.status, body, response.headers, settings.accessToken);
}
