// What every page gets from the shell: API client, live connection, signed-in user, language and formatting.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionUser } from '../protocol/api';
import type { FleetApi } from './api/fleet';
import type { Formatter } from './format';
import type { Locale, Translate } from './i18n/index';
import type { ServerText } from './i18n/server-text';
import type { LiveConnection } from './live/socket';

export interface AppContextValue {
  api: FleetApi;
  live: LiveConnection;
  user: SessionUser;
  locale: Locale;
  t: Translate;
  fmt: Formatter;
  /** Server-worded text (remediation, alerts, HRESULT meanings) in the chosen language. */
  text: ServerText;
  isAdmin: boolean;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the signed-in shell');
  return value;
}
