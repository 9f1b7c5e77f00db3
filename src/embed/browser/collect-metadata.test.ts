import { describe, expect, it } from 'vitest';
import { collectMetadata, readUtm } from './collect-metadata.ts';

describe('collectMetadata', () => {
  it('when the page URL has UTM parameters, then they go to metadata beside the page URL and the referrer', () => {
    expect(
      collectMetadata(
        {
          url: 'https://shop.example/contact?utm_source=google&utm_medium=cpc&utm_campaign=winter&q=1',
          referrer: 'https://www.google.com/',
        },
        { utm_source: 'older' },
        'GB',
      ),
    ).toEqual({
      page_url: 'https://shop.example/contact?utm_source=google&utm_medium=cpc&utm_campaign=winter&q=1',
      via: 'embed',
      referrer: 'https://www.google.com/',
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'winter',
      country: 'GB',
    });
  });

  it('when the page has no UTM parameters, then those remembered from the landing page are used, and an empty referrer is left out', () => {
    expect(collectMetadata({ url: 'https://shop.example/contact', referrer: '' }, { utm_source: 'newsletter' })).toEqual({
      page_url: 'https://shop.example/contact',
      via: 'embed',
      utm_source: 'newsletter',
    });
  });

  it('when UTM values are blank or very long, then blanks are dropped and long ones cut', () => {
    expect(readUtm(`https://shop.example/?utm_source=%20&utm_term=${'x'.repeat(500)}`)).toEqual({ utm_term: 'x'.repeat(300) });
    expect(readUtm('https://shop.example/?utm_source=')).toBeUndefined();
  });
});
