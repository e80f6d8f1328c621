import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@supportstream/observability';
import express, { type RequestHandler, type Response, type Router } from 'express';
import { HttpError, notFound } from '../httpErrors.js';

/** services/console/dist, from src/routes or dist/routes of the gateway alike. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist', import.meta.url));
export const CONSOLE_BUILD_COMMAND = 'npm run build -w @supportstream/console';

/**
 * The console's own scripts, styles, images and fonts, and calls to this origin only: no inline
 * script or style element, no eval, nothing from elsewhere, no framing. (React and Mantine set
 * element styles through the CSSOM, which style-src does not govern.)
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HASHED_ASSETS = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

function consoleHeaders(res: Response, cacheControl: string): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

const isGet: RequestHandler = (req, _res, next) => {
  // Anything but GET/HEAD leaves the router and meets the gateway's 404.
  next(req.method === 'GET' || req.method === 'HEAD' ? undefined : 'router');
};

/**
 * GET /console and /console/*: the console's built files (Vite writes hashed names under
 * assets/, cached for a year), and index.html for every other path (the app's own routes),
 * never cached so a new build is picked up at once. Without a build: 503 naming the command.
 */
export function consoleRouter(options: { readonly dir: string; readonly logger: Logger }): Router {
  const router = express.Router();
  const indexFile = join(options.dir, 'index.html');
  router.use(isGet);
  router.use(
    express.static(options.dir, {
      index: false,
      redirect: false,
      fallthrough: true,
      cacheControl: false,
      dotfiles: 'ignore',
      setHeaders: (res, path) => consoleHeaders(res, path.startsWith(join(options.dir, 'assets') + '/') ? IMMUTABLE : 'no-cache'),
    }),
  );
  router.use(async (req, res) => {
    // A missing file is a 404, not the app: a stale hashed name must not come back as HTML.
    if (req.path.startsWith(HASHED_ASSETS) || extname(req.path) !== '') throw notFound(`console file ${req.path}`);
    let html: string;
    try {
      html = await readFile(indexFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      options.logger.warn({ dir: options.dir }, 'the console is not built');
      throw new HttpError(503, 'CONSOLE_NOT_BUILT', `the console is not built; build it with \`${CONSOLE_BUILD_COMMAND}\` (or \`npm run build\`), then reload`, { headers: { 'Retry-After': '30' } });
    }
    consoleHeaders(res, 'no-cache');
    res.type('html').send(html);
  });
  return router;
}
