// The shell: session check, sign-in, navigation, language and theme switches, live indicator, and the page router.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionResponse } from '../protocol/api';
import type { ApiClient } from './api/client';
import type { FleetApi } from './api/fleet';
import { AppContext, type AppContextValue } from './app-context';
import { LanguageSelect } from './components/language-select';
import { LiveIndicator } from './components/live-indicator';
import { createFormatter } from './format';
import { initialLocale, saveLocale, translator, type Locale, type MessageKey } from './i18n/index';
import { serverText } from './i18n/server-text';
import type { LiveConnection } from './live/socket';
import { AdminPage } from './pages/admin';
import { AnalyzePage } from './pages/analyze';
import { ClusterPage } from './pages/cluster';
import { ClustersPage } from './pages/clusters';
import { DevicePage } from './pages/device';
import { DevicesPage } from './pages/devices';
import { ErrorsPage } from './pages/errors';
import { LoginPage } from './pages/login';
import { NotFoundPage } from './pages/not-found';
import { OverviewPage } from './pages/overview';
import { UpdatesPage } from './pages/updates';
import { href, useRoute, type Route } from './router';
import { initialTheme, saveTheme, type Theme } from './theme';

const NAV: { segment: string; label: MessageKey; adminOnly?: boolean }[] = [
  { segment: '', label: 'nav.overview' },
  { segment: 'devices', label: 'nav.devices' },
  { segment: 'clusters', label: 'nav.clusters' },
  { segment: 'updates', label: 'nav.updates' },
  { segment: 'errors', label: 'nav.errors' },
  { segment: 'analyze', label: 'nav.analyze' },
  { segment: 'admin', label: 'nav.admin', adminOnly: true },
];

function Page({ route }: { route: Route }) {
  if (route.invalid) return <NotFoundPage />;
  const [first = '', second] = route.segments;
  switch (first) {
    case 'devices':
      return second ? <DevicePage id={second} /> : <DevicesPage route={route} />;
    case 'clusters':
      return second ? <ClusterPage family={second} route={route} /> : <ClustersPage />;
    case 'updates':
      return <UpdatesPage route={route} />;
    case 'errors':
      return <ErrorsPage />;
    case 'analyze':
      return <AnalyzePage />;
    case 'admin':
      return <AdminPage />;
    default:
      return <OverviewPage />;
  }
}

export interface AppProps {
  client: ApiClient;
  api: FleetApi;
  live: LiveConnection;
  /** The session check, started before the first render; null when nobody is signed in. */
  initialSession: Promise<SessionResponse | null>;
}

export function App({ client, api, live, initialSession }: AppProps) {
  const [session, setSession] = useState<SessionResponse | null>(null);
  const [checked, setChecked] = useState(false);
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const route = useRoute();
  const t = useMemo(() => translator(locale), [locale]);
  const fmt = useMemo(() => createFormatter(locale), [locale]);
  const text = useMemo(() => serverText(locale, fmt), [locale, fmt]);

  useEffect(() => {
    client.onUnauthenticated(() => setSession(null));
    // The live socket learns first when the session ends elsewhere (sign-out, disable, expiry). The browser may
    // already hold a newer session (signed in again in another tab), so the server decides: sign-in page or resume.
    const offSessionEnded = live.onSessionEnded(() => {
      void api.me().then(
        (me) => {
          client.setCsrfToken(me.csrfToken);
          setSession(me);
          live.resume();
        },
        () => setSession(null),
      );
    });
    void initialSession.then((me) => {
      setSession(me);
      setChecked(true);
    });
    return offSessionEnded;
  }, [client, api, live, initialSession]);

  const signedIn = session !== null && !session.user.mustChangePassword;
  useEffect(() => {
    if (!signedIn) return;
    live.start();
    return () => live.stop();
  }, [signedIn, live]);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = `PatchLens · ${t('app.tagline')}`;
  }, [locale, t]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const changeLocale = (next: Locale) => {
    saveLocale(next);
    setLocale(next);
  };
  const changeTheme = (next: Theme) => {
    saveTheme(next);
    setTheme(next);
  };
  const onSignedIn = (next: SessionResponse) => {
    client.setCsrfToken(next.csrfToken);
    setSession(next);
  };

  if (!checked) return <p class="boot">PatchLens…</p>;
  if (!signedIn) {
    return <LoginPage api={api} t={t} locale={locale} session={session} onSignedIn={onSignedIn} language={<LanguageSelect locale={locale} t={t} onChange={changeLocale} />} />;
  }

  const context: AppContextValue = { api, live, user: session.user, locale, t, fmt, text, isAdmin: session.user.role === 'admin' };
  const current = route.segments[0] ?? '';
  return (
    <AppContext.Provider value={context}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <a class="brand" href={href([])}>
          PatchLens
        </a>
        <nav aria-label={t('app.navigation')}>
          <ul>
            {NAV.filter((item) => !item.adminOnly || context.isAdmin).map((item) => (
              <li key={item.segment}>
                <a href={href(item.segment ? [item.segment] : [])} aria-current={current === item.segment ? 'page' : undefined}>
                  {t(item.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="tools">
          <LiveIndicator />
          <LanguageSelect locale={locale} t={t} onChange={changeLocale} />
          <button type="button" class="secondary" aria-pressed={theme === 'dark'} onClick={() => changeTheme(theme === 'dark' ? 'light' : 'dark')}>
            {theme === 'dark' ? t('app.lightMode') : t('app.darkMode')}
          </button>
          <span class="user" title={t(`role.${session.user.role}`)}>
            {session.user.username}
          </span>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              void api.logout().finally(() => setSession(null));
            }}
          >
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </AppContext.Provider>
  );
}
