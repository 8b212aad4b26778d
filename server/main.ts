// Server entry point: `npm start`. Serves the dashboard and the API on PORT.
import express from 'express';

const port = Number(process.env.PORT ?? 8080);
const app = express();
app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});
app.get('/', (_req, res) => {
  res.type('html').send('<!doctype html><title>PatchLens</title><h1>PatchLens</h1><p>The server is starting up in a later release.</p>');
});
const server = app.listen(port, () => {
  console.log(`PatchLens listening on http://localhost:${port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
