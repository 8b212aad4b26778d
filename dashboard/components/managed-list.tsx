// Admin lists: load, change (showing a secret the server returns once), reload; and the small create form they share.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ServerToClientEvents } from '../../protocol/socket-events';
import { useApp } from '../app-context';
import { useResource, type Resource } from '../use-resource';

export interface ManagedList<T> {
  list: Resource<T>;
  /** The load error or the last change's error. */
  error: Error | null;
  /** A secret from the last change, shown once. */
  revealed: string | null;
  /** Runs a change; a string it returns is shown once; the list reloads after success. */
  change(action: () => Promise<string | null | void | unknown>): Promise<boolean>;
}

export function useManagedList<T>(load: () => Promise<T>, liveEvents: readonly (keyof ServerToClientEvents)[] = []): ManagedList<T> {
  const list = useResource(load, [], liveEvents);
  const [error, setError] = useState<Error | null>(null);
  const [revealed, setRevealed] = useState<string | null>(null);
  const change = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      const value = await action();
      if (typeof value === 'string') setRevealed(value);
      list.reload();
      return true;
    } catch (err) {
      setError(err as Error);
      return false;
    }
  };
  return { list, error: list.error ?? error, revealed, change };
}

/** A secret shown once, right after it was created. */
export function Revealed({ label, value }: { label: string; value: string | null }) {
  const { t } = useApp();
  if (!value) return null;
  return (
    <div class="revealed" role="status">
      <strong>{label}</strong> <code class="mono">{value}</code> <span class="muted small">{t('admin.shownOnce')}</span>
    </div>
  );
}

/** An inline form: its fields, one submit button; `onCreate` gets the form data and says whether to clear the fields. */
export function CreateForm({ submitLabel, onCreate, children }: { submitLabel: string; onCreate(form: FormData): Promise<boolean>; children: ComponentChildren }) {
  return (
    <form
      class="inline-form"
      aria-label={submitLabel}
      onSubmit={(event) => {
        event.preventDefault();
        const element = event.currentTarget as HTMLFormElement;
        void onCreate(new FormData(element)).then((done) => done && element.reset());
      }}
    >
      {children}
      <button type="submit">{submitLabel}</button>
    </form>
  );
}

export const field = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();
