// One corruption cluster: versions, files, builds, blocked KBs, fleet-level repair, affected devices over time, its devices a server page at a time.
import { useMemo } from 'preact/hooks';
import { useApp } from '../app-context';
import { Chart } from '../components/chart';
import { RemediationSteps } from '../components/device-detail';
import { EmptyRow, ErrorNote, Loading, Section } from '../components/notes';
import { useCursorPages } from '../components/pager';
import { OKABE_ITO } from '../palette';
import { href, type Route } from '../router';
import { useResource } from '../use-resource';

export function ClusterPage({ family, route }: { family: string; route: Route }) {
  const { api, t, fmt } = useApp();
  const cursor = route.query.get('cursor') ?? undefined;
  const detail = useResource(() => api.cluster(family, cursor), [family, cursor], ['cluster:changed']);
  const data = detail.data;
  const pages = useCursorPages(cursor, data?.nextCursor, (next) => href(['clusters', family], { cursor: next }), t('cluster.devices'));
  const chart = useMemo(() => {
    const series = data?.series ?? [];
    return {
      labels: series.map((point) => fmt.date(point.day)),
      series: [
        { label: t('cluster.affected'), data: series.map((point) => point.devices), color: OKABE_ITO[3] },
        { label: t('cluster.detected'), data: series.map((point) => point.detected), color: OKABE_ITO[1] },
        { label: t('cluster.repairedSeries'), data: series.map((point) => point.repaired), color: OKABE_ITO[2] },
      ],
    };
  }, [data, fmt, t]);
  return (
    <div class="page">
      <p class="crumbs">
        <a href={href(['clusters'])}>{t('nav.clusters')}</a> /
      </p>
      <h1>{family}</h1>
      <ErrorNote error={detail.error} />
      <Loading when={detail.loading && !data} />
      {data && (
        <>
          <dl class="facts card">
            <div>
              <dt>{t('col.devices')}</dt>
              <dd>{fmt.number(data.cluster.deviceCount)}</dd>
            </div>
            <div>
              <dt>{t('col.versions')}</dt>
              <dd>{data.cluster.versions.join(', ')}</dd>
            </div>
            <div>
              <dt>{t('col.files')}</dt>
              <dd class="mono">{data.cluster.files.join(', ') || '—'}</dd>
            </div>
            <div>
              <dt>{t('col.blockedKbs')}</dt>
              <dd>{data.cluster.blockedKbs.join(', ') || '—'}</dd>
            </div>
            <div>
              <dt>{t('col.hresult')}</dt>
              <dd class="mono">{data.cluster.hresults.join(', ') || '—'}</dd>
            </div>
            <div>
              <dt>{t('cluster.builds')}</dt>
              <dd>
                {Object.entries(data.builds)
                  .map(([build, count]) => `${build}: ${fmt.number(count)}`)
                  .join(' · ') || '—'}
              </dd>
            </div>
            <div>
              <dt>{t('cluster.firstSeen')}</dt>
              <dd>{fmt.dateTime(data.cluster.firstSeenAt)}</dd>
            </div>
          </dl>
          <Section title={t('cluster.overTime')}>
            <Chart kind="line" label={t('cluster.overTime')} labels={chart.labels} series={chart.series} height={200} />
          </Section>
          <RemediationSteps steps={data.remediation} />
          <Section title={t('cluster.devices')} actions={<a href={href(['devices'], { family })}>{t('common.all')}</a>}>
            <table>
              <tbody>
                {data.devices.length === 0 && <EmptyRow columns={3} />}
                {data.devices.map((device) => (
                  <tr key={device.id}>
                    <td>
                      <a href={href(['devices', device.id])}>{device.hostname}</a>
                    </td>
                    <td>{device.osBuild ?? '—'}</td>
                    <td>{device.failedKbs.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {(cursor || data.nextCursor) && pages.pager}
          </Section>
        </>
      )}
    </div>
  );
}
