// Admin (admin role only): enrollment secrets, users, API tokens, alert webhooks, fleet settings and the audit log.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ROLES } from '../roles';
import type { Role } from '../../protocol/api';
import { ALERT_KINDS } from '../../protocol/fleet-api';
import { useApp } from '../app-context';
import { TableHead } from '../components/table-head';
import type { MessageKey } from '../i18n/index';
import { EmptyRow, ErrorNote, Section } from '../components/notes';
import { useResource } from '../use-resource';

/** Runs an admin action, shows its error, and reloads the list it changed. */
function useAction() {
  const [error, setError] = useState<Error | null>(null);
  const run = async (action: () => Promise<unknown>, then?: () => void) => {
    setError(null);
    try {
      await action();
      then?.();
    } catch (err) {
      setError(err as Error);
    }
  };
  return { error, run };
}

/** A secret shown once, right after it was created. */
function Revealed({ label, value }: { label: string; value: string | null }) {
  const { t } = useApp();
  if (!value) return null;
  return (
    <div class="revealed" role="status">
      <strong>{label}</strong> <code class="mono">{value}</code> <span class="muted small">{t('admin.shownOnce')}</span>
    </div>
  );
}

const formValue = (event: Event, name: string) => String(new FormData(event.currentTarget as HTMLFormElement).get(name) ?? '').trim();

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
  const list = useResource(() => props.load(), []);
  const { error, run } = useAction();
  const [created, setCreated] = useState<string | null>(null);
  return (
    <Section title={t(props.title)}>
      <ErrorNote error={list.error ?? error} />
      <Revealed label={t(props.revealLabel)} value={created} />
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget as HTMLFormElement);
          void run(async () => setCreated(await props.create(form)), list.reload);
        }}
      >
        <label>
          {t('col.name')}
          <input name="name" required maxLength={100} />
        </label>
        {props.fields}
        <button type="submit">{t(props.createLabel)}</button>
      </form>
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
                  <button type="button" class="danger small" onClick={() => void run(() => props.revoke(item.id), list.reload)}>
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
      create={async (form) => (await api.createSecret(String(form.get('name')).trim())).secret}
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
      create={async (form) => (await api.createToken(String(form.get('name')).trim(), String(form.get('role')) as Role)).token}
      revoke={api.revokeToken}
      fields={<RoleSelect />}
      describe={(token) => fmt.dateTime(token.lastUsedAt ?? token.createdAt)}
      badge={(token) => t(`role.${token.role}`)}
    />
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
  const list = useResource(() => api.users(), []);
  const { error, run } = useAction();
  const [password, setPassword] = useState<string | null>(null);
  return (
    <Section title={t('admin.users')}>
      <ErrorNote error={list.error ?? error} />
      <Revealed label={t('admin.oneTimePassword')} value={password} />
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const username = formValue(event, 'username');
          const role = formValue(event, 'role') as Role;
          void run(async () => setPassword((await api.createUser(username, role)).oneTimePassword ?? null), list.reload);
        }}
      >
        <label>
          {t('col.username')}
          <input name="username" required maxLength={64} pattern="[A-Za-z0-9._@\-]+" />
        </label>
        <RoleSelect />
        <button type="submit">{t('admin.createUser')}</button>
      </form>
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
                        onClick={() => void run(() => api.updateUser(user.id, { role: user.role === 'admin' ? 'viewer' : 'admin' }), list.reload)}
                      >
                        {user.role === 'admin' ? t('admin.makeViewer') : t('admin.makeAdmin')}
                      </button>
                      <button type="button" class="secondary small" onClick={() => void run(() => api.updateUser(user.id, { disabled: !user.disabled }), list.reload)}>
                        {user.disabled ? t('admin.enable') : t('admin.disable')}
                      </button>
                      <button type="button" class="secondary small" onClick={() => void run(async () => setPassword((await api.resetPassword(user.id)).oneTimePassword ?? null), list.reload)}>
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
  const list = useResource(() => api.webhooks(), []);
  const { error, run } = useAction();
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <Section title={t('admin.webhooks')}>
      <ErrorNote error={list.error ?? error} />
      <Revealed label={t('admin.signingSecret')} value={secret} />
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const url = formValue(event, 'url');
          void run(async () => setSecret((await api.createWebhook({ url })).secret), list.reload);
        }}
      >
        <label>
          URL
          <input name="url" type="url" required placeholder="https://chat.example.com/hooks/patchlens" />
        </label>
        <button type="submit">{t('admin.addWebhook')}</button>
      </form>
      <p class="muted small">{t('admin.webhookKinds', { kinds: ALERT_KINDS.join(', ') })}</p>
      <table>
        <tbody>
          {list.data?.items.length === 0 && <EmptyRow columns={3} />}
          {list.data?.items.map((hook) => (
            <tr key={hook.id}>
              <td class="wrap-any small">{hook.url}</td>
              <td>
                <button type="button" class="secondary small" onClick={() => void run(() => api.updateWebhook(hook.id, { enabled: !hook.enabled }), list.reload)}>
                  {hook.enabled ? t('admin.disable') : t('admin.enable')}
                </button>
              </td>
              <td>
                <button type="button" class="danger small" onClick={() => void run(() => api.deleteWebhook(hook.id), list.reload)}>
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
  const settings = useResource(() => api.settings(), []);
  const { error, run } = useAction();
  const [saved, setSaved] = useState(false);
  const current = settings.data?.settings;
  return (
    <Section title={t('admin.settings')}>
      <ErrorNote error={settings.error ?? error} />
      {current && (
        <form
          class="stacked-form"
          key={JSON.stringify(current)}
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(false);
            void run(
              () =>
                api.updateSettings({
                  staleAfterHours: Number(formValue(event, 'staleAfterHours')),
                  clusterAlertThreshold: Number(formValue(event, 'clusterAlertThreshold')),
                  complianceAlertPercent: Number(formValue(event, 'complianceAlertPercent')),
                  repairSource: formValue(event, 'repairSource') || null,
                }),
              () => {
                setSaved(true);
                settings.reload();
              },
            );
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
