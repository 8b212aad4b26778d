// Overview: fleet size, reporting vs stale, compliance per baseline with trend, KB states, top errors and clusters, recent alerts — all live.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { alertParams, type Alert } from '../../protocol/fleet-api';
import type { AlertRaised } from '../../protocol/socket-events';
import { PACKAGE_STATES } from '../../protocol/report';
import { useApp } from '../app-context';
import { Chart } from '../components/chart';
import { Hresult } from '../components/device-detail';
import { EmptyRow, ErrorNote, Section, StatCard } from '../components/notes';
import { valueLabel } from '../i18n/index';
import { STATE_COLORS } from '../palette';
import { href } from '../router';
import { baselineTrend } from '../trend-series';
import { useResource } from '../use-resource';

const TOP = 5;

export function OverviewPage() {
  const { api, t, fmt, text } = useApp();
  const summary = useResource(() => api.summary(), [], ['fleet:delta']);
  // Daily snapshots: new points arrive once a day, not with every report.
  const trends = useResource(() => api.trends(90), []);
  const kbs = useResource(() => api.kbs(), [], ['fleet:delta']);
  const errors = useResource(() => api.errors(), [], ['fleet:delta']);
  const clusters = useResource(() => api.clusters(), [], ['cluster:changed', 'fleet:delta']);
  const alerts = useResource(() => api.alerts(8), [], ['alert:raised']);
  const data = summary.data;

  const trendChart = useMemo(() => baselineTrend(trends.data?.items ?? [], data, fmt.date, text.baselineName, t('overview.failingPercent')), [trends.data, data, fmt, text, t]);

  const kbChart = useMemo(() => {
    const top = [...(kbs.data?.items ?? [])].sort((a, b) => b.devices - a.devices).slice(0, 8);
    const states = PACKAGE_STATES.filter((state) => top.some((kb) => (kb.states[state] ?? 0) > 0));
    return {
      labels: top.map((kb) => kb.kb),
      series: states.map((state) => ({ key: state, label: valueLabel(t, 'state', state), data: top.map((kb) => kb.states[state] ?? 0), color: STATE_COLORS[state] })),
    };
  }, [kbs.data, t]);

  return (
    <div class="page">
      <h1>{t('nav.overview')}</h1>
      <ErrorNote error={summary.error} />
      <div class="stats">
        <StatCard label={t('overview.devices')} value={data ? fmt.number(data.devices.total) : '…'} href={href(['devices'])} />
        <StatCard label={t('overview.reporting')} value={data ? fmt.number(data.devices.reporting) : '…'} tone="good" href={href(['devices'], { stale: 'false' })} />
        <StatCard label={t('overview.stale')} value={data ? fmt.number(data.devices.stale) : '…'} tone={data && data.devices.stale > 0 ? 'warn' : undefined} href={href(['devices'], { stale: 'true' })}>
          {data && <div class="muted small">{t('overview.staleAfter', { hours: fmt.number(data.staleAfterHours) })}</div>}
        </StatCard>
        <StatCard label={t('overview.failing')} value={data ? fmt.number(data.failingDevices) : '…'} tone={data && data.failingDevices > 0 ? 'bad' : undefined} href={href(['devices'], { state: 'Failed' })} />
        <StatCard label={t('overview.corrupt')} value={data ? fmt.number(data.devicesWithCorruption) : '…'} tone={data && data.devicesWithCorruption > 0 ? 'bad' : undefined} href={href(['clusters'])} />
        <StatCard label={t('overview.clusters')} value={data ? fmt.number(data.openClusters) : '…'} href={href(['clusters'])} />
      </div>

      <div class="grid-2">
        <Section title={t('overview.compliance')}>
          {data && data.compliance.length === 0 && <p class="muted">{t('overview.noBaselines')}</p>}
          <ul class="bars">
            {data?.compliance.map((item) => (
              <li key={item.baseline.id}>
                <div class="bar-label">
                  <span>
                    {text.baselineName(item.baseline.name)} <span class="muted small">{t('overview.due', { date: fmt.date(item.baseline.dueDate) })}</span>
                  </span>
                  <strong>{fmt.percent(item.compliancePercent)}</strong>
                </div>
                <div class="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={item.compliancePercent} aria-label={text.baselineName(item.baseline.name)}>
                  <span style={{ width: `${Math.min(100, item.compliancePercent)}%` }} />
                </div>
                <div class="muted small">
                  {t('overview.complianceCounts', {
                    compliant: fmt.number(item.compliant),
                    applicable: fmt.number(item.applicable),
                    failed: fmt.number(item.failed),
                    pending: fmt.number(item.pending),
                  })}
                </div>
              </li>
            ))}
          </ul>
          <Chart kind="line" label={t('overview.complianceTrend')} labels={trendChart.labels} series={trendChart.series} yMax={100} height={200} />
        </Section>
        <Section title={t('overview.kbStates')}>
          <Chart kind="bar" stacked label={t('overview.kbStates')} labels={kbChart.labels} series={kbChart.series} height={300} />
        </Section>
      </div>

      <div class="grid-3">
        <Section title={t('overview.topErrors')} actions={<a href={href(['errors'])}>{t('common.all')}</a>}>
          <table>
            <tbody>
              {errors.data?.items.length === 0 && <EmptyRow columns={2} />}
              {errors.data?.items.slice(0, TOP).map((item) => (
                <tr key={item.hresult}>
                  <td>
                    <Hresult code={item.hresult} name={item.name} />
                    <div class="muted small">{text.hresultMeaning(item.hresult, item.meaning) ?? ''}</div>
                  </td>
                  <td class="num">{fmt.number(item.deviceCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
        <Section title={t('overview.topClusters')} actions={<a href={href(['clusters'])}>{t('common.all')}</a>}>
          <table>
            <tbody>
              {clusters.data?.length === 0 && <EmptyRow columns={2} />}
              {clusters.data?.slice(0, TOP).map((cluster) => (
                <tr key={cluster.family}>
                  <td>
                    <a href={href(['clusters', cluster.family])}>{cluster.family}</a>
                    <div class="muted small">{cluster.files.join(', ')}</div>
                  </td>
                  <td class="num">{fmt.number(cluster.deviceCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
        <RecentAlerts items={alerts.data?.items ?? []} />
      </div>
    </div>
  );
}

function RecentAlerts({ items }: { items: Alert[] }) {
  const { live, t, fmt, text } = useApp();
  const [pushed, setPushed] = useState<AlertRaised[]>([]);
  useEffect(() => live.on('alert:raised', (alert) => setPushed((list) => [alert, ...list].slice(0, 8))), [live]);
  const known = new Set(items.map((item) => String(item.id)));
  const rows = [
    ...pushed.filter((alert) => !known.has(String(alert.id))).map((alert) => ({ id: String(alert.id), message: text.alert({ ...alert, params: alertParams(alert.details) }), at: alert.at })),
    ...items.map((item) => ({ id: String(item.id), message: text.alert(item), at: item.raisedAt })),
  ].slice(0, 8);
  return (
    <Section title={t('overview.alerts')}>
      <ul class="alerts" aria-live="polite">
        {rows.length === 0 && <li class="muted">{t('common.none')}</li>}
        {rows.map((row) => (
          <li key={row.id}>
            <div>{row.message}</div>
            <div class="muted small">{fmt.dateTime(row.at)}</div>
          </li>
        ))}
      </ul>
    </Section>
  );
}
