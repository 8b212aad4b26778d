// The device detail view, shared by a stored device and an analyzed log: identity, repair steps, KB timeline, corruption, scans, hotfixes.
import type { DeviceDetail } from '../../protocol/device-detail';
import type { RemediationStep } from '../../protocol/fleet-api';
import { useApp } from '../app-context';
import { valueLabel } from '../i18n/index';
import { TableHead } from './table-head';
import { href } from '../router';
import { CopyButton } from './copy-button';
import { EmptyRow, Section } from './notes';

export function DeviceDetailView({ detail, analyzed = false }: { detail: DeviceDetail; analyzed?: boolean }) {
  return (
    <div class="detail">
      <Identity detail={detail} analyzed={analyzed} />
      <RemediationSteps steps={detail.remediation} />
      <KbTimeline detail={detail} />
      <Corruption detail={detail} />
      <Scans detail={detail} />
      {!analyzed && <Hotfixes detail={detail} />}
    </div>
  );
}

function Identity({ detail, analyzed }: { detail: DeviceDetail; analyzed: boolean }) {
  const { t, fmt } = useApp();
  const { device } = detail;
  const rows: [string, string | null | undefined][] = [
    [t('device.osBuild'), device.osBuild],
    [t('device.servicingStack'), device.servicingStack],
    [t('device.product'), [device.productName, device.edition, device.displayVersion].filter(Boolean).join(' · ') || null],
    [t('device.architecture'), device.architecture],
  ];
  if (!analyzed) {
    rows.unshift([t('device.id'), device.id]);
    rows.push([t('device.lastSeen'), device.lastSeenAt ? fmt.dateTime(device.lastSeenAt) : null], [t('device.firstSeen'), device.firstSeenAt ? fmt.dateTime(device.firstSeenAt) : null]);
  }
  return (
    <Section title={t('device.identity')}>
      <dl class="facts">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value || '—'}</dd>
          </div>
        ))}
        {device.stale && (
          <div>
            <dt>{t('device.status')}</dt>
            <dd>
              <span class="badge badge-warn">{t('device.stale')}</span>
            </dd>
          </div>
        )}
        <div>
          <dt>{t('device.clusters')}</dt>
          <dd>
            {detail.clusters.length === 0
              ? '—'
              : detail.clusters.map((family) => (
                  <a key={family} class="chip" href={href(['clusters', family])}>
                    {family}
                  </a>
                ))}
          </dd>
        </div>
        {detail.compliance.length > 0 && (
          <div>
            <dt>{t('device.compliance')}</dt>
            <dd>
              {detail.compliance.map((item) => (
                <span key={item.baselineId} class={`badge badge-${item.status === 'compliant' ? 'good' : item.status === 'pending' ? 'warn' : 'bad'}`}>
                  {item.kb}: {t(`compliance.${item.status}`)}
                </span>
              ))}
            </dd>
          </div>
        )}
      </dl>
    </Section>
  );
}

export function RemediationSteps({ steps }: { steps: RemediationStep[] }) {
  const { t, fmt, text } = useApp();
  return (
    <Section title={t('device.remediation')}>
      {steps.length === 0 ? (
        <p class="muted">{t('device.noRemediation')}</p>
      ) : (
        <ol class="steps">
          {steps.map((step) => {
            const { title, why } = text.remediation(step);
            return (
              <li key={step.order} class="step" data-action={step.action} data-rule={step.rule}>
                <h3>{title}</h3>
                <p>{why}</p>
                {step.action === 'install-shipping-update' && step.kb && (
                  <p>
                    {t('device.shippedBy')} <a href={href(['updates'], { kb: step.kb })}>{step.kb}</a>
                  </p>
                )}
                {step.donors && step.donors.length > 0 && (
                  <div class="donors">
                    <h4>{t('device.donors')}</h4>
                    <ul>
                      {step.donors.map((donor) => (
                        <li key={donor.deviceId} class="donor">
                          <a href={href(['devices', donor.deviceId])}>{donor.hostname}</a> · {donor.osBuild ?? '—'} · {t('device.lastSeen')} {fmt.dateTime(donor.lastSeenAt)}
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
                {step.commands.map((command) => (
                  <div class="command" key={command}>
                    <pre>
                      <code>{command}</code>
                    </pre>
                    <CopyButton text={command} />
                  </div>
                ))}
              </li>
            );
          })}
        </ol>
      )}
    </Section>
  );
}

interface TimelineRow {
  at: string | null;
  kb: string | null;
  what: string;
  hresult: string | null;
  hresultName: string | null;
  meaning: string | null;
  stage: string | null;
  detail: string | null;
  failed: boolean;
}

function KbTimeline({ detail }: { detail: DeviceDetail }) {
  const { t, fmt, text } = useApp();
  const rows: TimelineRow[] = [
    ...detail.failures.map((failure) => ({
      at: failure.at,
      kb: failure.kb,
      what: t('timeline.failed'),
      hresult: failure.hresult,
      hresultName: failure.hresultInfo?.name ?? failure.hresultName,
      meaning: text.hresultMeaning(failure.hresult, failure.hresultInfo?.meaning ?? null),
      stage: failure.failureSource,
      detail: failure.operation ?? failure.package,
      failed: true,
    })),
    ...detail.packages.map((pkg) => ({
      at: pkg.lastChangeAt,
      kb: pkg.kb,
      what: valueLabel(t, 'state', pkg.state),
      hresult: pkg.lastResult,
      hresultName: null,
      meaning: null,
      stage: pkg.failureSource,
      detail: pkg.identity,
      failed: pkg.state === 'Failed',
    })),
  ].sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
  return (
    <Section title={t('device.timeline')}>
      <div class="table-wrap">
        <table>
          <TableHead columns={[t('col.time'), t('col.kb'), t('col.state'), t('col.hresult'), t('col.stage'), t('col.detail')]} />
          <tbody>
            {rows.length === 0 && <EmptyRow columns={6} />}
            {rows.map((row, index) => (
              <tr key={index} class={row.failed ? 'row-bad' : ''}>
                <td class="nowrap">{fmt.dateTime(row.at)}</td>
                <td>{row.kb ?? '—'}</td>
                <td>{row.failed ? <span class="badge badge-bad">{row.what}</span> : row.what}</td>
                <td>
                  {row.hresult ? <Hresult code={row.hresult} name={row.hresultName} /> : '—'}
                  {row.meaning && <div class="muted small hresult-meaning">{row.meaning}</div>}
                </td>
                <td>{row.stage ? valueLabel(t, 'stage', row.stage) : '—'}</td>
                <td class="wrap-any small">{row.detail ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

export function Hresult({ code, name }: { code: string; name?: string | null }) {
  return (
    <a class="mono" href={href(['devices'], { hresult: code })}>
      {code}
      {name ? <span class="muted small hresult-name"> {name}</span> : null}
    </a>
  );
}

function Corruption({ detail }: { detail: DeviceDetail }) {
  const { t, fmt } = useApp();
  return (
    <Section title={t('device.corruption')}>
      {detail.corruption.length === 0 ? (
        <p class="muted">{t('device.noCorruption')}</p>
      ) : (
        <ul class="findings">
          {detail.corruption.map((item, index) => (
            <li key={index} class="finding">
              <div class="finding-head">
                <a class="chip" href={href(['clusters', item.family])}>
                  {item.family}
                </a>
                <span>{item.version ?? '—'}</span>
                <span class="mono">{item.file ?? '—'}</span>
                <span class="badge">{valueLabel(t, 'kind', item.kind)}</span>
                <span class="muted">{item.source.toUpperCase()}</span>
                <span class={`badge ${item.repaired ? 'badge-good' : 'badge-bad'}`}>{item.repaired ? t('corruption.repaired') : t('corruption.open')}</span>
                <span class="muted small">{fmt.dateTime(item.at)}</span>
              </div>
              {item.component && <div class="mono small wrap-any">{item.component}</div>}
              <details>
                <summary>{t('corruption.evidence', { count: item.evidence.length })}</summary>
                <pre class="evidence">{item.evidence.join('\n')}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function Scans({ detail }: { detail: DeviceDetail }) {
  const { t, fmt } = useApp();
  return (
    <Section title={t('device.scans')}>
      <div class="table-wrap">
        <table>
          <TableHead columns={[t('col.time'), t('col.tool'), t('col.operation'), t('col.result'), t('col.detected'), t('col.repaired'), t('col.unrepaired')]} />
          <tbody>
            {detail.scans.length === 0 && <EmptyRow columns={7} />}
            {detail.scans.map((scan, index) => (
              <tr key={index}>
                <td class="nowrap">{fmt.dateTime(scan.at)}</td>
                <td>{scan.tool.toUpperCase()}</td>
                <td>{scan.operation}</td>
                <td>{scan.result ? <Hresult code={scan.result} /> : '—'}</td>
                <td title={t('scan.detectedBreakdown', { payload: fmt.number(scan.detected.csiPayload), csiManifest: fmt.number(scan.detected.csiManifest), cbsManifest: fmt.number(scan.detected.cbsManifest) })}>
                  {fmt.number(scan.detected.total)}
                </td>
                <td>{fmt.number(scan.repaired.total)}</td>
                <td>{scan.unrepaired === null || scan.unrepaired === undefined ? '—' : fmt.number(scan.unrepaired)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function Hotfixes({ detail }: { detail: DeviceDetail }) {
  const { t, fmt } = useApp();
  return (
    <Section title={t('device.hotfixes')}>
      {detail.hotfixes.length === 0 ? (
        <p class="muted">{t('common.none')}</p>
      ) : (
        <ul class="chips">
          {detail.hotfixes.map((hotfix) => (
            <li key={hotfix.kb} class="chip">
              {hotfix.kb} <span class="muted small">{fmt.date(hotfix.installedOn)}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
