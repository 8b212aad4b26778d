// Small shared pieces: error note, loading line, empty-table row, stat card, HRESULT with its name.
import type { ComponentChildren } from 'preact';
import { useApp } from '../app-context';
import { errorText } from '../i18n/server-text';

export function ErrorNote({ error }: { error: Error | null }) {
  const { locale, t } = useApp();
  if (!error) return null;
  return (
    <p class="error-note" role="alert">
      {errorText(error, locale, t)}
    </p>
  );
}

export function Loading({ when }: { when: boolean }) {
  const { t } = useApp();
  return when ? <p class="muted" aria-busy="true">{t('common.loading')}</p> : null;
}

export function EmptyRow({ columns, text }: { columns: number; text?: string }) {
  const { t } = useApp();
  return (
    <tr>
      <td colSpan={columns} class="muted">
        {text ?? t('common.none')}
      </td>
    </tr>
  );
}

export function StatCard({ label, value, tone, href, children }: { label: string; value: string; tone?: 'bad' | 'warn' | 'good'; href?: string; children?: ComponentChildren }) {
  return (
    <div class={`stat ${tone ? `stat-${tone}` : ''}`}>
      <div class="stat-label">{href ? <a href={href}>{label}</a> : label}</div>
      <div class="stat-value" data-stat={label}>
        {value}
      </div>
      {children}
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card" aria-label={title}>
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
