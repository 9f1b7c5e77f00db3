import { describe, expect, it } from 'vitest';
import { foldRareLabelValues } from './fold-rare-label-values.ts';
import { formatPrometheusText } from './format-prometheus-text.ts';

describe('formatPrometheusText', () => {
  it('when families have labelled samples, then HELP and TYPE come once and label values are escaped', () => {
    const text = formatPrometheusText([
      {
        name: 'leadline_leads_total',
        help: 'Leads.',
        type: 'counter',
        samples: [
          { labels: { source: 'api', quality: 'hot' }, value: 3 },
          { labels: { source: 'we"ird\\one\nx', quality: 'cold' }, value: 1 },
        ],
      },
      { name: 'leadline_database_up', help: 'Up.', type: 'gauge', samples: [{ labels: {}, value: 1 }] },
    ]);
    expect(text).toBe(
      [
        '# HELP leadline_leads_total Leads.',
        '# TYPE leadline_leads_total counter',
        'leadline_leads_total{quality="hot",source="api"} 3',
        'leadline_leads_total{quality="cold",source="we\\"ird\\\\one\\nx"} 1',
        '# HELP leadline_database_up Up.',
        '# TYPE leadline_database_up gauge',
        'leadline_database_up 1',
        '',
      ].join('\n'),
    );
  });
});

describe('foldRareLabelValues', () => {
  it('when there are more label values than kept, then the rarest fold into "other" and totals are preserved', () => {
    const samples = [
      { labels: { source: 'a', quality: 'hot' }, value: 10 },
      { labels: { source: 'b', quality: 'hot' }, value: 5 },
      { labels: { source: 'c', quality: 'hot' }, value: 1 },
      { labels: { source: 'd', quality: 'hot' }, value: 2 },
      { labels: { source: 'd', quality: 'cold' }, value: 1 },
    ];
    const folded = foldRareLabelValues(samples, 'source', 2);
    expect(folded).toEqual([
      { labels: { source: 'a', quality: 'hot' }, value: 10 },
      { labels: { source: 'b', quality: 'hot' }, value: 5 },
      { labels: { source: 'other', quality: 'hot' }, value: 3 },
      { labels: { source: 'other', quality: 'cold' }, value: 1 },
    ]);
  });
});
