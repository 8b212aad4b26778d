// Corruption clusters: one row per component family across the fleet, most devices first, live.
import { useApp } from '../app-context';
import { TableHead } from '../components/table-head';
import { EmptyRow, ErrorNote } from '../components/notes';
import { valueLabel } from '../i18n/index';
import { href } from '../router';
import { useResource } from '../use-resource';

export function ClustersPage() {
  const { api, t, fmt } = useApp();
  const clusters = useResource(() => api.clusters(), [], ['cluster:changed', 'fleet:delta']);
  return (
    <div class="page">
      <h1>{t('nav.clusters')}</h1>
      <ErrorNote error={clusters.error} />
      <div class="table-wrap card">
        <table>
          <TableHead columns={[t('col.family'), { label: t('col.devices'), numeric: true }, t('col.versions'), t('col.files'), t('col.kinds'), t('col.blockedKbs'), t('col.lastSeen')]} />
          <tbody>
            {clusters.data?.length === 0 && <EmptyRow columns={7} text={t('clusters.none')} />}
            {clusters.data?.map((cluster) => (
              <tr key={cluster.family}>
                <td>
                  <a href={href(['clusters', cluster.family])}>{cluster.family}</a>
                </td>
                <td class="num">
                  <a href={href(['devices'], { family: cluster.family })}>{fmt.number(cluster.deviceCount)}</a>
                </td>
                <td class="small">{cluster.versions.join(', ')}</td>
                <td class="mono small">{cluster.files.join(', ') || '—'}</td>
                <td class="small">{cluster.kinds.map((kind) => valueLabel(t, 'kind', kind)).join(', ')}</td>
                <td>{cluster.blockedKbs.join(', ') || '—'}</td>
                <td class="nowrap">{fmt.dateTime(cluster.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
