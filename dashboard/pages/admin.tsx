// Admin (admin role only): enrollment secrets, re-enrollment decisions, users, API tokens, alert webhooks, fleet settings and the audit log.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ROLES } from '../roles';
import type { Role } from '../../protocol/api';
import { ALERT_KINDS } from '../../protocol/fleet-api';
import { useApp } from '../app-context';
import { TableHead } from '../components/table-head';
import type { MessageKey } from '../i18n/index';
import { CreateForm, field, Revealed, useManagedList } from '../components/managed-list';
import { EmptyRow, ErrorNote, Section } from '../components/notes';
import { useResource } from '../use-resource';

export function AdminPage() {
  const { t, isAdmin } = useApp();
  if (!isAdmin) {
    return (
      <div class="page">
        <h1>{t('nav.admin')}</h1>
        <p class="error-note" role="alert">
          {t('admin.forbidden')}
        </p>
      </div>
    );
  }
  return (
    <div class="page">
      <h1>{t('nav.admin')}</h1>
      <div class="grid-2">
        <Secrets />
        <Tokens />
      </div>
      <Reenrollments />
      <Users />
      <div class="grid-2">
        <Webhooks />
        <Settings />
      </div>
      <Audit />
    </div>
  );
}

interface Credential {
  id: number;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

interface CredentialsProps<T extends Credential> {
  title: MessageKey;
  createLabel: MessageKey;
  revealLabel: MessageKey;
  load(): Promise<{ items: T[] }>;
  /** Creates one from the form and returns the secret value, shown once. */
  create(form: FormData): Promise<string>;
  revoke(id: number): Promise<unknown>;
  /** Extra form fields (e.g. the role of a token). */
  fields?: ComponentChildren;
  /** What the row says besides the name. */
  describe(item: T): string;
  badge?(item: T): string | null;
}

/** Enrollment secrets and API tokens: issued once with their value shown once, listed, revoked. */
function Credentials<T extends Credential>(props: CredentialsProps<T>) {
  const { t } = useApp();
  const { list, error, revealed, change } = useManagedList(() => props.load());
  return (
    <Section title={t(props.title)}>
      <ErrorNote error={error} />
      <Revealed label={t(props.revealLabel)} value={revealed} />
      <CreateForm submitLabel={t(props.createLabel)} onCreate={(form) => change(() => props.create(form))}>
        <label>
          {t('col.name')}
          <input name="name" required maxLength={100} />
        </label>
        {props.fields}
      </CreateForm>
      <table>
        <tbody>
          {list.data?.items.length === 0 && <EmptyRow columns={3} />}
          {list.data?.items.map((item) => (
            <tr key={item.id}>
              <td>
                {item.name} {props.badge?.(item) && <span class="badge">{props.badge(item)}</span>}
              </td>
              <td class="small muted">{props.describe(item)}</td>
              <td>
                {item.revokedAt ? (
                  <span class="badge">{t('admin.revoked')}</span>
                ) : (
                  <button type="button" class="danger small" onClick={() => void change(() => props.revoke(item.id))}>
                    {t('action.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function Secrets() {
  const { api, t, fmt } = useApp();
  return (
    <Credentials
      title="admin.secrets"
      createLabel="admin.createSecret"
      revealLabel="admin.newSecret"
      load={api.secrets}
      create={async (form) => (await api.createSecret(field(form, 'name'))).secret}
      revoke={api.revokeSecret}
      describe={(secret) => `${t('admin.uses', { count: secret.uses })} · ${fmt.dateTime(secret.createdAt)}`}
    />
  );
}

function Tokens() {
  const { api, t, fmt } = useApp();
  return (
    <Credentials
      title="admin.tokens"
      createLabel="admin.createToken"
      revealLabel="admin.newToken"
      load={api.tokens}
      create={async (form) => (await api.createToken(field(form, 'name'), field(form, 'role') as Role)).token}
      revoke={api.revokeToken}
      fields={<RoleSelect />}
      describe={(token) => fmt.dateTime(token.lastUsedAt ?? token.createdAt)}
      badge={(token) => t(`role.${token.role}`)}
    />
  );
}

/** Enrolled devices asking for a new key: approve (their current key is revoked) or reject (they keep it). */
function Reenrollments() {
  const { api, t, fmt } = useApp();
  const { list, error, change } = useManagedList(() => api.enrollmentRequests());
  return (
    <Section title={t('admin.reenrollments')}>
      <ErrorNote error={error} />
      <p class="muted small">{t('admin.reenrollmentsHelp')}</p>
      <div class="table-wrap">
        <table>
          <TableHead
            columns={[t('col.id'), t('admin.requestedHost'), t('admin.knownAs'), t('admin.requestedFrom'), t('admin.requestedAt'), t('col.lastSeen'), '']}
          />
          <tbody>
            {list.data?.items.length === 0 && <EmptyRow columns={7} />}
            {list.data?.items.map((request) => (
              <tr key={request.id}>
                <td class="mono small wrap-any">{request.deviceId}</td>
                <td>{request.hostname}</td>
                <td>{request.knownHostname ?? '—'}</td>
                <td class="small">{request.ip ?? '—'}</td>
                <td class="nowrap small">{fmt.dateTime(request.requestedAt)}</td>
                <td class="nowrap small">{fmt.dateTime(request.lastSeenAt)}</td>
                <td>
                  {request.status === 'approved' ? (
                    <span class="badge">{t('admin.awaitingPickup')}</span>
                  ) : (
                    <div class="actions">
                      <button type="button" class="small" onClick={() => void change(() => api.approveEnrollment(request.id))}>
                        {t('admin.approve')}
                      </button>
                      <button type="button" class="danger small" onClick={() => void change(() => api.rejectEnrollment(request.id))}>
                        {t('admin.reject')}
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function RoleSelect({ value }: { value?: Role }) {
  const { t } = useApp();
  return (
    <label>
      {t('col.role')}
      <select name="role">
        {ROLES.map((role) => (
          <option key={role} value={role} selected={role === (value ?? 'viewer')}>
            {t(`role.${role}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

function Users() {
  const { api, t, fmt, user: me } = useApp();
  const { list, error, revealed, change } = useManagedList(() => api.users());
  const oneTimePassword = async (pending: Promise<{ oneTimePassword?: string | undefined }>) => (await pending).oneTimePassword ?? null;
  return (
    <Section title={t('admin.users')}>
      <ErrorNote error={error} />
      <Revealed label={t('admin.oneTimePassword')} value={revealed} />
      <CreateForm submitLabel={t('admin.createUser')} onCreate={(form) => change(() => oneTimePassword(api.createUser(field(form, 'username'), field(form, 'role') as Role)))}>
        <label>
          {t('col.username')}
          <input name="username" required maxLength={64} pattern="[A-Za-z0-9._@\-]+" />
        </label>
        <RoleSelect />
      </CreateForm>
      <div class="table-wrap">
        <table>
          <TableHead columns={[t('col.username'), t('col.role'), t('admin.lastLogin'), '']} />
          <tbody>
            {list.data?.items.map((user) => (
              <tr key={user.id}>
                <td>
                  {user.username} {user.disabled && <span class="badge">{t('admin.disabled')}</span>}
                </td>
                <td>{t(`role.${user.role}`)}</td>
                <td class="small">{fmt.dateTime(user.lastLoginAt)}</td>
                <td>
                  {user.id !== me.id && (
                    <div class="actions">
                      <button
                        type="button"
                        class="secondary small"
                        onClick={() => void change(() => api.updateUser(user.id, { role: user.role === 'admin' ? 'viewer' : 'admin' }))}
                      >
                        {user.role === 'admin' ? t('admin.makeViewer') : t('admin.makeAdmin')}
                      </button>
                      <button type="button" class="secondary small" onClick={() => void change(() => api.updateUser(user.id, { disabled: !user.disabled }))}>
                        {user.disabled ? t('admin.enable') : t('admin.disable')}
                      </button>
                      <button type="button" class="secondary small" onClick={() => void change(() => oneTimePassword(api.resetPassword(user.id)))}>
                        {t('admin.resetPassword')}
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function Webhooks() {
  const { api, t } = useApp();
  const { list, error, revealed, change } = useManagedList(() => api.webhooks());
  return (
    <Section title={t('admin.webhooks')}>
      <ErrorNote error={error} />
      <Revealed label={t('admin.signingSecret')} value={revealed} />
      <CreateForm submitLabel={t('admin.addWebhook')} onCreate={(form) => change(async () => (await api.createWebhook({ url: field(form, 'url') })).secret)}>
        <label>
          URL
          <input name="url" type="url" required placeholder="https://chat.example.com/hooks/patchlens" />
        </label>
      </CreateForm>
      <p class="muted small">{t('admin.webhookKinds', { kinds: ALERT_KINDS.map((kind) => t(`alertKind.${kind}`)).join(', ') })}</p>
      <table>
        <tbody>
          {list.data?.items.length === 0 && <EmptyRow columns={3} />}
          {list.data?.items.map((hook) => (
            <tr key={hook.id}>
              <td class="wrap-any small">{hook.url}</td>
              <td>
                <button type="button" class="secondary small" onClick={() => void change(() => api.updateWebhook(hook.id, { enabled: !hook.enabled }))}>
                  {hook.enabled ? t('admin.disable') : t('admin.enable')}
                </button>
              </td>
              <td>
                <button type="button" class="danger small" onClick={() => void change(() => api.deleteWebhook(hook.id))}>
                  {t('action.delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function Settings() {
  const { api, t } = useApp();
  const { list: settings, error, change } = useManagedList(() => api.settings());
  const [saved, setSaved] = useState(false);
  const current = settings.data?.settings;
  return (
    <Section title={t('admin.settings')}>
      <ErrorNote error={error} />
      {current && (
        <form
          class="stacked-form"
          key={JSON.stringify(current)}
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget as HTMLFormElement);
            setSaved(false);
            void change(() =>
              api.updateSettings({
                staleAfterHours: Number(field(form, 'staleAfterHours')),
                clusterAlertThreshold: Number(field(form, 'clusterAlertThreshold')),
                complianceAlertPercent: Number(field(form, 'complianceAlertPercent')),
                repairSource: field(form, 'repairSource') || null,
                allowHttpWebhooks: form.get('allowHttpWebhooks') === 'on',
                allowPrivateWebhookTargets: form.get('allowPrivateWebhookTargets') === 'on',
              }),
            ).then(setSaved);
          }}
        >
          <label>
            {t('admin.staleAfterHours')}
            <input name="staleAfterHours" type="number" min={1} step="any" required defaultValue={String(current.staleAfterHours)} />
          </label>
          <label>
            {t('admin.clusterThreshold')}
            <input name="clusterAlertThreshold" type="number" min={2} required defaultValue={String(current.clusterAlertThreshold)} />
          </label>
          <label>
            {t('admin.complianceAlert')}
            <input name="complianceAlertPercent" type="number" min={0} max={100} step="any" required defaultValue={String(current.complianceAlertPercent)} />
          </label>
          <label>
            {t('admin.repairSource')}
            <input name="repairSource" defaultValue={current.repairSource ?? ''} placeholder="wim:\\fs01\images\19045\install.wim:1" />
          </label>
          <label class="check">
            <input name="allowHttpWebhooks" type="checkbox" defaultChecked={current.allowHttpWebhooks} /> {t('admin.allowHttpWebhooks')}
          </label>
          <label class="check">
            <input name="allowPrivateWebhookTargets" type="checkbox" defaultChecked={current.allowPrivateWebhookTargets} /> {t('admin.allowPrivateWebhookTargets')}
          </label>
          <div>
            <button type="submit">{t('action.save')}</button> {saved && <span role="status">{t('admin.saved')}</span>}
          </div>
        </form>
      )}
    </Section>
  );
}

function Audit() {
  const { api, t, fmt } = useApp();
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const page = useResource(() => api.audit(cursor), [cursor]);
  return (
    <Section title={t('admin.audit')}>
      <ErrorNote error={page.error} />
      <div class="table-wrap">
        <table>
          <TableHead columns={[t('col.time'), t('admin.actor'), t('admin.action'), t('admin.target'), 'IP']} />
          <tbody>
            {page.data?.items.length === 0 && <EmptyRow columns={5} />}
            {page.data?.items.map((entry) => (
              <tr key={entry.id}>
                <td class="nowrap">{fmt.dateTime(entry.at)}</td>
                <td>{entry.actor}</td>
                <td class="mono small">{entry.action}</td>
                <td class="small">{entry.target ?? '—'}</td>
                <td class="small">{entry.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager">
        <button type="button" disabled={!cursor} onClick={() => setCursor(undefined)}>
          {t('admin.newest')}
        </button>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => setCursor(page.data?.nextCursor ?? undefined)}>
          {t('action.next')}
        </button>
      </nav>
    </Section>
  );
}
