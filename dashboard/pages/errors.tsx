// Errors: per HRESULT, its name and meaning, the typical fix, how many devices, and which KBs it hits.
import { useApp } from '../app-context';
import { TableHead } from '../components/table-head';
import { Hresult } from '../components/device-detail';
import { EmptyRow, ErrorNote } from '../components/notes';
import { href } from '../router';
import { useResource } from '../use-resource';

export function ErrorsPage() {
  const { api, t, fmt, text } = useApp();
  const errors = useResource(() => api.errors(), [], ['fleet:delta']);
  return (
    <div class="page">
      <h1>{t('nav.errors')}</h1>
      <ErrorNote error={errors.error} />
      <div class="table-wrap card">
        <table>
          <TableHead columns={[t('col.hresult'), t('col.meaning'), t('col.typicalFix'), { label: t('col.devices'), numeric: true }, t('col.kb')]} />
          <tbody>
            {errors.data?.items.length === 0 && <EmptyRow columns={5} />}
            {errors.data?.items.map((item) => (
              <tr key={item.hresult}>
                <td>
                  <Hresult code={item.hresult} name={item.name} />
                </td>
                <td class="small">{text.hresultMeaning(item.hresult, item.meaning) ?? '—'}</td>
                <td class="small">{text.hresultFix(item.hresult, item.typicalFix) ?? '—'}</td>
                <td class="num">
                  <a href={href(['devices'], { hresult: item.hresult })}>{fmt.number(item.deviceCount)}</a>
                </td>
                <td class="small">
                  {item.kbs.map((kb) => (
                    <a key={kb.kb} class="chip" href={href(['devices'], { hresult: item.hresult, kb: kb.kb })}>
                      {kb.kb} ({fmt.number(kb.deviceCount)})
                    </a>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
