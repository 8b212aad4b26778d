// Updates: devices per state for every KB, and the baseline editor (admins) that compliance is measured against.
import { useState } from 'preact/hooks';
import type { Baseline } from '../../protocol/fleet-api';
import { PACKAGE_STATES, type PackageState } from '../../protocol/report';
import { useApp } from '../app-context';
import { CreateForm, field, useManagedList } from '../components/managed-list';
import { TableHead } from '../components/table-head';
import { EmptyRow, ErrorNote, Section } from '../components/notes';
import { valueLabel } from '../i18n/index';
import { STATE_COLORS } from '../palette';
import { href, type Route } from '../router';
import { useResource } from '../use-resource';

export function UpdatesPage({ route }: { route: Route }) {
  const { api, t, fmt } = useApp();
  const kbs = useResource(() => api.kbs(), [], ['fleet:delta']);
  const highlight = route.query.get('kb');
  return (
    <div class="page">
      <h1>{t('nav.updates')}</h1>
      <Baselines />
      <Section title={t('updates.perKb')}>
        <ErrorNote error={kbs.error} />
        <ul class="legend" aria-label={t('updates.legend')}>
          {PACKAGE_STATES.map((state) => (
            <li key={state}>
              <span class="swatch" style={{ background: STATE_COLORS[state] }} /> {valueLabel(t, 'state', state)}
            </li>
          ))}
        </ul>
        <div class="table-wrap">
          <table>
            <TableHead columns={[t('col.kb'), t('col.released'), t('col.osBuild'), { label: t('col.devices'), numeric: true }, t('col.states')]} />
            <tbody>
              {kbs.data?.items.length === 0 && <EmptyRow columns={5} />}
              {kbs.data?.items.map((kb) => {
                const states = Object.entries(kb.states) as [PackageState, number][];
                const total = states.reduce((sum, [, count]) => sum + count, 0) || 1;
                return (
                  <tr key={kb.kb} class={highlight === kb.kb ? 'row-highlight' : ''}>
                    <td>
                      <a href={href(['devices'], { kb: kb.kb })}>{kb.kb}</a>
                    </td>
                    <td>{fmt.date(kb.releaseDate)}</td>
                    <td>{kb.build ?? '—'}</td>
                    <td class="num">{fmt.number(kb.devices)}</td>
                    <td>
                      <div class="stack" role="img" aria-label={states.map(([state, count]) => `${valueLabel(t, 'state', state)} ${count}`).join(', ')}>
                        {states.map(([state, count]) => (
                          <a
                            key={state}
                            href={href(['devices'], { kb: kb.kb, state })}
                            title={`${valueLabel(t, 'state', state)}: ${fmt.number(count)}`}
                            style={{ width: `${(100 * count) / total}%`, background: STATE_COLORS[state] }}
                          />
                        ))}
                      </div>
                      <div class="small muted">{states.map(([state, count]) => `${valueLabel(t, 'state', state)} ${fmt.number(count)}`).join(' · ')}</div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Section>
    </div>
  );
}

function Baselines() {
  const { api, t, fmt, text, isAdmin } = useApp();
  const { list: baselines, error, change } = useManagedList(() => api.baselines(), ['fleet:delta']);
  const [editing, setEditing] = useState<Baseline | null>(null);
  const save = async (form: FormData) => {
    const input = { kb: field(form, 'kb').toUpperCase(), appliesTo: Number(field(form, 'appliesTo')), dueDate: field(form, 'dueDate'), name: field(form, 'name') || undefined };
    const done = await change(() => (editing ? api.updateBaseline(editing.id, input) : api.createBaseline(input)));
    if (done) setEditing(null);
    return done;
  };
  const remove = (id: number) => {
    if (window.confirm(t('updates.confirmDelete'))) void change(() => api.deleteBaseline(id));
  };
  return (
    <Section title={t('updates.baselines')}>
      <ErrorNote error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('col.name')}</th>
            <th scope="col">{t('col.kb')}</th>
            <th scope="col">{t('updates.appliesTo')}</th>
            <th scope="col">{t('updates.due')}</th>
            <th scope="col" class="num">{t('updates.compliance')}</th>
            {isAdmin && <th scope="col" />}
          </tr>
        </thead>
        <tbody>
          {baselines.data?.items.length === 0 && <EmptyRow columns={isAdmin ? 6 : 5} text={t('overview.noBaselines')} />}
          {baselines.data?.items.map((item) => (
            <tr key={item.baseline.id}>
              <td>{text.baselineName(item.baseline.name)}</td>
              <td>{item.baseline.kb}</td>
              <td>{item.baseline.appliesTo}</td>
              <td>{fmt.date(item.baseline.dueDate)}</td>
              <td class="num">
                {fmt.percent(item.compliancePercent)} <span class="muted small">({fmt.number(item.compliant)}/{fmt.number(item.applicable)})</span>
              </td>
              {isAdmin && (
                <td class="actions">
                  <button type="button" class="secondary small" onClick={() => setEditing(item.baseline)}>
                    {t('action.edit')}
                  </button>
                  <button type="button" class="danger small" onClick={() => remove(item.baseline.id)}>
                    {t('action.delete')}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {isAdmin && (
        <CreateForm key={editing?.id ?? 'new'} submitLabel={editing ? t('updates.saveBaseline', { kb: editing.kb }) : t('updates.addBaseline')} onCreate={save}>
          <label>
            {t('col.kb')}
            <input name="kb" required pattern="[Kk][Bb]\d{4,9}" placeholder="KB5043064" defaultValue={editing?.kb} />
          </label>
          <label>
            {t('updates.appliesTo')}
            <input name="appliesTo" required type="number" min={1000} max={99999} placeholder="19045" defaultValue={editing ? String(editing.appliesTo) : undefined} />
          </label>
          <label>
            {t('updates.due')}
            <input name="dueDate" required type="date" defaultValue={editing?.dueDate} />
          </label>
          <label>
            {t('col.name')}
            <input name="name" maxLength={200} defaultValue={editing?.name} />
          </label>
          {editing && (
            <button type="button" class="secondary" onClick={() => setEditing(null)}>
              {t('action.cancel')}
            </button>
          )}
        </CreateForm>
      )}
    </Section>
  );
}
