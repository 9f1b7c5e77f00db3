/** What a request said about consent, after validation: a form's checkbox, an API client's record, Meta's disclaimers. */
export interface ConsentInput {
  given: boolean;
  /** The version of the consent wording the visitor saw (e.g. `2026-03`), when the site versions it. */
  version?: string | undefined;
  /** The wording itself, when the site sends it instead of (or with) a version. */
  text?: string | undefined;
  /** The page the consent was given on. */
  page?: string | undefined;
  /** Meta Lead Ads: each custom disclaimer and whether its box was checked. */
  checkboxes?: { key: string; checked: boolean }[] | undefined;
}

/**
 * The consent stored with a lead (`conversations.consent`): whether it was given, what was agreed to (the
 * wording or its version), when, on which page and through which source. Erasure keeps this record on the
 * tombstone, without the page (a URL can carry personal data), as the proof that consent existed.
 */
export interface ConsentRecord {
  given: boolean;
  version: string | null;
  text: string | null;
  page: string | null;
  /** When the lead was captured (Meta: when the person submitted the form), ISO 8601. */
  given_at: string;
  source: string;
  checkboxes?: { key: string; checked: boolean }[];
  /** Set on a tombstone: the lead was erased and the record kept without its page. */
  erased?: true;
}

/** The longest page URL a record keeps. */
const MAX_PAGE = 2_000;

/**
 * Builds the record, or null when the request said nothing about consent. The page is the one the request
 * named, else `metadata.page_url`, else the page the browser posted from (`referrerPage`).
 */
export function buildConsentRecord(
  input: ConsentInput | undefined,
  context: { givenAt: Date; source: string; metadata: Record<string, unknown> | undefined; referrerPage: string | undefined },
): ConsentRecord | null {
  if (input === undefined) return null;
  const pageUrl = context.metadata?.['page_url'];
  const page = input.page ?? (typeof pageUrl === 'string' && pageUrl.trim() !== '' ? pageUrl.trim() : undefined) ?? context.referrerPage;
  return {
    given: input.given,
    version: input.version ?? null,
    text: input.text ?? null,
    page: page === undefined ? null : page.slice(0, MAX_PAGE),
    given_at: context.givenAt.toISOString(),
    source: context.source,
    ...(input.checkboxes ? { checkboxes: input.checkboxes } : {}),
  };
}

/**
 * The page a browser posted from, as its `Referer` header names it: origin and path only, since a query
 * string or fragment may carry personal data (`?email=…`). Undefined when absent or not an http(s) URL.
 */
export function referrerPageOf(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return `${url.origin}${url.pathname}`.slice(0, MAX_PAGE);
  } catch {
    return undefined;
  }
}
