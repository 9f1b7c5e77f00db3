/**
 * Keeps the `keep` most frequent values of one label and folds the rest into `other`. Lead sources come from
 * clients (`source` on POST /api/leads), so without this a sender could create unbounded series and hurt
 * the monitoring system.
 */
export function foldRareLabelValues(
  samples: readonly { labels: Record<string, string>; value: number }[],
  label: string,
  keep: number,
): { labels: Record<string, string>; value: number }[] {
  const totals = new Map<string, number>();
  for (const sample of samples) {
    const value = sample.labels[label] ?? '';
    totals.set(value, (totals.get(value) ?? 0) + sample.value);
  }
  if (totals.size <= keep) return [...samples];
  const kept = new Set(
    [...totals.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, keep)
      .map(([value]) => value),
  );
  const folded = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const sample of samples) {
    const labels = kept.has(sample.labels[label] ?? '') ? sample.labels : { ...sample.labels, [label]: 'other' };
    const key = JSON.stringify(Object.entries(labels).sort());
    const existing = folded.get(key);
    if (existing) existing.value += sample.value;
    else folded.set(key, { labels, value: sample.value });
  }
  return [...folded.values()];
}
