const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

export type Utm = Partial<Record<(typeof UTM_KEYS)[number], string>>;

/** What a lead's `metadata` says about where the visitor came from. */
export interface PageMetadata {
  [key: string]: string;
}

/** The UTM parameters in a page URL (values cut to 300 characters); undefined when it has none. */
export function readUtm(pageUrl: string): Utm | undefined {
  const params = new URL(pageUrl).searchParams;
  const utm: Utm = {};
  let found = false;
  for (const key of UTM_KEYS) {
    const value = params.get(key)?.trim();
    if (value) {
      utm[key] = value.slice(0, 300);
      found = true;
    }
  }
  return found ? utm : undefined;
}

/**
 * The metadata every embed submission carries: the page it was sent from, the referrer, and the UTM
 * parameters of this page or, when it has none, those `remembered` from an earlier page of the visit (the
 * visitor landed on `/?utm_source=…` and wrote from `/contact`).
 */
export function collectMetadata(page: { url: string; referrer: string }, remembered: Utm | undefined, country?: string): PageMetadata {
  const metadata: PageMetadata = { page_url: page.url.slice(0, 2_000), via: 'embed' };
  if (page.referrer) metadata['referrer'] = page.referrer.slice(0, 2_000);
  Object.assign(metadata, readUtm(page.url) ?? remembered);
  if (country) metadata['country'] = country;
  return metadata;
}
