// Sign-in, and the forced password change after a one-time password.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { SessionResponse } from '../../protocol/api';
import type { FleetApi } from '../api/fleet';
import type { Locale, Translate } from '../i18n/index';
import { errorText } from '../i18n/server-text';

interface LoginProps {
  api: FleetApi;
  t: Translate;
  locale: Locale;
  /** The signed-in session; `mustChangePassword` users are asked for a new password first. */
  session: SessionResponse | null;
  onSignedIn(session: SessionResponse): void;
  /** The language switch, so the page can be read before signing in. */
  language: ComponentChildren;
}

export function LoginPage({ api, t, locale, session, onSignedIn, language }: LoginProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const changing = session?.user.mustChangePassword ?? false;

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      if (changing) {
        const next = String(form.get('newPassword'));
        if (next !== String(form.get('repeat'))) throw new Error(t('login.mismatch'));
        onSignedIn(await api.changePassword(String(form.get('currentPassword')), next));
      } else {
        onSignedIn(await api.login(String(form.get('username')), String(form.get('password'))));
      }
    } catch (err) {
      setError(errorText(err as Error, locale, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="card login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <div class="login-head">
          <h1 id="login-title">PatchLens</h1>
          {language}
        </div>
        <p class="muted">{changing ? t('login.changeIntro') : t('login.intro')}</p>
        {changing ? (
          <>
            <label>
              {t('login.currentPassword')}
              <input name="currentPassword" type="password" autoComplete="current-password" required />
            </label>
            <label>
              {t('login.newPassword')}
              <input name="newPassword" type="password" autoComplete="new-password" minLength={12} required />
            </label>
            <label>
              {t('login.repeat')}
              <input name="repeat" type="password" autoComplete="new-password" minLength={12} required />
            </label>
          </>
        ) : (
          <>
            <label>
              {t('login.username')}
              <input name="username" autoComplete="username" required autoFocus />
            </label>
            <label>
              {t('login.password')}
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          </>
        )}
        {error && (
          <p class="error-note" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {changing ? t('login.change') : t('login.signIn')}
        </button>
      </form>
    </main>
  );
}
