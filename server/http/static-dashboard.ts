// Serves the bundled dashboard (dist/dashboard) with an SPA fallback, or a page explaining how to build it.
import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const MISSING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PatchLens</title></head>
<body><h1>PatchLens</h1><p>The server is running, but the dashboard bundle is missing.</p>
<p>Build it with <code>npm run build</code> (it writes <code>dist/dashboard/</code>) and reload this page.
The API is available under <code>/api/v1</code>.</p></body></html>`;

export function dashboardRouter(dashboardDir: string): Router {
  const router = Router();
  const dir = resolve(dashboardDir);
  const index = join(dir, 'index.html');
  router.use(express.static(dir, { index: false, fallthrough: true, maxAge: '1h' }));
  router.get(/.*/, (req, res, next) => {
    if (req.path.startsWith('/api/') || req.path.startsWith('/socket.io')) {
      next();
      return;
    }
    if (existsSync(index)) {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    } else {
      res.status(200).type('html').send(MISSING_PAGE);
    }
  });
  return router;
}
