// Dashboard entry: settings read once from the page location, the session check started before the first render, the app mounted.
import { render } from 'preact';
import * as z from 'zod';
import { ApiClient, basePathOf } from './api/client';
import { fleetApi } from './api/fleet';
import { App } from './app';
import { LiveConnection } from './live/socket';
import './styles.css';

// The page's CSP forbids eval; without this zod probes `new Function` and the browser reports a violation.
z.config({ jitless: true });

const basePath = basePathOf(location.pathname);
const client = new ApiClient({ basePath });
const api = fleetApi(client);
const session = api.me().then(
  (me) => {
    client.setCsrfToken(me.csrfToken);
    return me;
  },
  () => null,
);

render(<App client={client} api={api} live={new LiveConnection(basePath)} initialSession={session} />, document.getElementById('app')!);
