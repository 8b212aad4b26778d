// Devices: one server page at a time for any fleet size; search, filters and sort live in the URL; CSV export of the filtered set.
import { DEVICE_SORTS } from '../../protocol/fleet-api';
import { PACKAGE_STATES } from '../../protocol/report';
import { useApp } from '../app-context';
import { EmptyRow, ErrorNote } from '../components/notes';
import { useCursorPages } from '../components/pager';
import { href, navigate, type Route } from '../router';
import { useResource } from '../use-resource';

const PAGE_SIZE = 50;
const FILTERS = ['q', 'kb', 'state', 'hresult', 'family', 'osBuild', 'stale'] as const;
type Filter = (typeof FILTERS)[number];
type Sort = (typeof DEVICE_SORTS)[number];

export function DevicesPage({ route }: { route: Route }) {
  const { api, t, fmt } = useApp();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, route.query.get(name) ?? ''])) as Record<Filter, string>;
  const sort = (DEVICE_SORTS as readonly string[]).includes(route.query.get('sort') ?? '') ? (route.query.get('sort') as Sort) : 'hostname';
  const order = route.query.get('order') === 'desc' ? 'desc' : 'asc';
  const cursor = route.query.get('cursor') ?? undefined;
  const key = JSON.stringify({ filters, sort, order, cursor });
  const page = useResource(() => api.devices({ ...filters, sort, order, cursor, limit: PAGE_SIZE }), [key], ['fleet:delta']);
  const pages = useCursorPages(cursor, page.data?.nextCursor, (next) => href(['devices'], { ...filters, sort, order, cursor: next }), t('devices.pages'));

  const go = (changes: Record<string, string | undefined>, keepPaging = false) => {
    if (!keepPaging) pages.reset();
    navigate(href(['devices'], { ...filters, sort, order, cursor: keepPaging ? cursor : undefined, ...changes }));
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    go(Object.fromEntries(FILTERS.map((name) => [name, String(form.get(name) ?? '').trim() || undefined])));
  };
  const sortBy = (column: Sort) => go({ sort: column, order: sort === column && order === 'asc' ? 'desc' : 'asc' });
  const sortHeader = (column: Sort, label: string) => (
    <th scope="col" aria-sort={sort === column ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" class="link" onClick={() => sortBy(column)}>
        {label} {sort === column ? (order === 'asc' ? '▲' : '▼') : ''}
      </button>
    </th>
  );

  return (
    <div class="page">
      <h1>{t('nav.devices')}</h1>
      <form class="filters" onSubmit={submit} role="search" key={key}>
        <label>
          {t('devices.search')}
          <input name="q" type="search" defaultValue={filters.q} placeholder={t('devices.searchHint')} />
        </label>
        <label>
          {t('col.kb')}
          <input name="kb" defaultValue={filters.kb} placeholder="KB5043064" pattern="KB\d{4,9}" />
        </label>
        <label>
          {t('col.state')}
          <select name="state">
            <option value="">{t('common.any')}</option>
            {PACKAGE_STATES.map((state) => (
              <option key={state} value={state} selected={filters.state === state}>
                {t(`state.${state}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('col.hresult')}
          <input name="hresult" defaultValue={filters.hresult} placeholder="0x8007000d" />
        </label>
        <label>
          {t('col.family')}
          <input name="family" defaultValue={filters.family} placeholder="dual_wpdmtp.inf" />
        </label>
        <label>
          {t('col.osBuild')}
          <input name="osBuild" defaultValue={filters.osBuild} placeholder="19045" />
        </label>
        <label>
          {t('devices.staleFilter')}
          <select name="stale">
            <option value="">{t('common.any')}</option>
            <option value="true" selected={filters.stale === 'true'}>
              {t('devices.onlyStale')}
            </option>
            <option value="false" selected={filters.stale === 'false'}>
              {t('devices.onlyReporting')}
            </option>
          </select>
        </label>
        <div class="filter-actions">
          <button type="submit">{t('action.apply')}</button>
          <a class="button secondary" href={href(['devices'])}>
            {t('action.clear')}
          </a>
          <a class="button secondary" href={api.devicesCsvUrl({ ...filters, sort, order })} download="patchlens-devices.csv">
            {t('devices.exportCsv')}
          </a>
        </div>
      </form>
      <ErrorNote error={page.error} />
      <div class="table-wrap card">
        <table aria-busy={page.loading}>
          <caption class="visually-hidden">{t('nav.devices')}</caption>
          <thead>
            <tr>
              {sortHeader('hostname', t('col.hostname'))}
              {sortHeader('id', t('col.id'))}
              <th scope="col">{t('col.osBuild')}</th>
              {sortHeader('lastSeen', t('col.lastSeen'))}
              <th scope="col">{t('col.failedKbs')}</th>
              <th scope="col">{t('col.hresult')}</th>
              <th scope="col">{t('col.family')}</th>
            </tr>
          </thead>
          <tbody>
            {page.data?.items.length === 0 && <EmptyRow columns={7} text={t('devices.noMatch')} />}
            {page.data?.items.map((device) => (
              <tr key={device.id}>
                <td>
                  <a href={href(['devices', device.id])}>{device.hostname}</a>
                  {device.stale && <span class="badge badge-warn">{t('device.stale')}</span>}
                </td>
                <td class="mono small">{device.id}</td>
                <td>{device.osBuild ?? '—'}</td>
                <td class="nowrap" title={fmt.dateTime(device.lastSeenAt)}>
                  {fmt.ago(device.lastSeenAt, Date.now())}
                </td>
                <td>{device.failedKbs.join(', ') || '—'}</td>
                <td class="mono small">{device.hresults.join(', ') || '—'}</td>
                <td>
                  {device.corruptFamilies.map((family) => (
                    <a key={family} class="chip" href={href(['clusters', family])}>
                      {family}
                    </a>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages.pager}
    </div>
  );
}
