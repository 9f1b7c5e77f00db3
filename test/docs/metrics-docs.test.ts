import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestDatabase } from '../helpers/test-database.ts';
import { postJson, startTestLeadline } from '../helpers/start-test-leadline.ts';

/*
 * The alert rules, the Grafana dashboard and docs/metrics.md name metrics by hand; a metric renamed in
 * src/metrics/create-metrics.ts would leave them silently empty. Each name they use must be served by a
 * running Leadline's /metrics.
 */

const ROOT = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, ROOT), 'utf8');

/** Series Prometheus makes itself, not Leadline. */
const PROMETHEUS_SERIES = new Set(['up']);
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

/** The metric names a PromQL expression reads: identifiers that are neither functions, keywords nor labels. */
function metricsOfPromql(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)]
    .filter((match) => match[2] === undefined && !PROMQL_WORDS.has(match[1]!))
    .map((match) => match[1]!);
}

const db = await createTestDatabase('metrics_docs');
const app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000' });
afterAll(async () => {
  await app.stop();
  await db.drop();
});

// One lead through the whole flow, so the histograms and counters have series as well as their TYPE lines.
await postJson(`${app.url}/api/leads`, { name: 'Metric Mia', email: 'metric-mia@example.com' });
const exposition = await (await fetch(`${app.url}/metrics`)).text();

/** Every series name the exposition can hold: histograms as their _bucket, _sum and _count. */
const SERVED = new Set(
  [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
    type === 'histogram' || type === 'summary' ? [name!, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
  ),
);

type Rules = { groups: { name: string; rules: { alert: string; expr: string; for?: string; annotations: Record<string, string> }[] }[] };
type Dashboard = { title: string; panels: { title: string; targets: { expr: string }[] }[] };

describe('the metrics the docs, alerts and dashboard name are served', () => {
  it('when a PromQL expression is read, then its metric names are found and its functions and labels are not', () => {
    expect(
      metricsOfPromql('histogram_quantile(0.99, sum by (le, channel) (rate(leadline_delivery_latency_seconds_bucket{a="b"}[10m]))) > 5'),
    ).toEqual(['leadline_delivery_latency_seconds_bucket']);
    expect(metricsOfPromql('up{job="leadline"} == 0 or max(leadline_database_up) == 0')).toEqual(['up', 'leadline_database_up']);
  });

  it('when the Prometheus rules are parsed, then each alert has an expression, and every metric it reads is in /metrics', () => {
    const rules = parse(read('docs/prometheus/leadline-alerts.yaml')) as Rules;
    const alerts = rules.groups.flatMap((group) => group.rules);
    expect(alerts.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'LeadlineOutboxLagging',
        'LeadlineDeadLetters',
        'LeadlineSlaBreaches',
        'LeadlineDeliveryLatencyHigh',
        'LeadlineNotReady',
      ]),
    );
    for (const rule of alerts) {
      expect(rule.annotations['summary'], rule.alert).toBeTruthy();
      const names = metricsOfPromql(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      expect(
        names.filter((name) => !SERVED.has(name) && !PROMETHEUS_SERIES.has(name)),
        rule.alert,
      ).toEqual([]);
    }
  });

  it('when the Grafana dashboard is parsed, then every panel queries metrics that are in /metrics', () => {
    const dashboard = JSON.parse(read('docs/grafana/leadline-dashboard.json')) as Dashboard;
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(
          metricsOfPromql(target.expr).filter((name) => !SERVED.has(name)),
          `${panel.title}: ${target.expr}`,
        ).toEqual([]);
      }
    }
  });

  it('when docs/metrics.md is read, then it names every leadline_ and http_ metric served, and only served ones', () => {
    const documented = new Set(
      read('docs/metrics.md')
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) => /^\| `([a-z_:]+)`/.exec(line)?.[1])
        .filter((name): name is string => name !== undefined),
    );
    const ours = [...exposition.matchAll(/^# TYPE ((?:leadline|http)_\S+) /gm)].map((match) => match[1]!);
    expect(
      ours.filter((name) => !documented.has(name)),
      'served but not in docs/metrics.md',
    ).toEqual([]);
    expect(
      [...documented].filter((name) => !SERVED.has(name)),
      'in docs/metrics.md but not served',
    ).toEqual([]);
  });
});

/** Prometheus's own checker, where it is installed (Debian: `apt-get install prometheus`); CI without it skips. */
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!promtool)('promtool, the reference checker', () => {
  it('when promtool checks the exposition of a running Leadline, then it finds no problem', () => {
    const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it('when promtool checks the alert rules, then they are valid rules', () => {
    const result = spawnSync('promtool', ['check', 'rules', new URL('docs/prometheus/leadline-alerts.yaml', ROOT).pathname], {
      encoding: 'utf8',
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });
});
