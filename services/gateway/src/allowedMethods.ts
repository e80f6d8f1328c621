import type { Express, RequestHandler } from 'express';
import { HttpError } from './httpErrors.js';

interface RouteLayer {
  readonly route?: { readonly path: unknown; readonly methods: Readonly<Record<string, boolean | undefined>> };
}

/**
 * The methods each route path of the app serves, in the order they were added, with HEAD
 * wherever GET is (Express answers HEAD with the GET route's headers) and OPTIONS.
 */
export function servedMethods(app: Express): Map<string, string[]> {
  const byPath = new Map<string, Set<string>>();
  for (const layer of app.router.stack as readonly RouteLayer[]) {
    const route = layer.route;
    if (route === undefined || typeof route.path !== 'string') continue;
    const methods = byPath.get(route.path) ?? new Set<string>();
    for (const [method, served] of Object.entries(route.methods)) if (served === true && method !== '_all') methods.add(method.toUpperCase());
    byPath.set(route.path, methods);
  }
  return new Map(
    [...byPath].map(([path, methods]) => {
      if (methods.has('GET')) methods.add('HEAD');
      methods.add('OPTIONS');
      return [path, [...methods]];
    }),
  );
}

/**
 * Call after the last route: a served path answers OPTIONS with 204 and its Allow list, and any
 * other method it does not serve with 405 Method Not Allowed and the same Allow (RFC 9110
 * §15.5.6), in the error format. Paths nothing serves stay 404.
 */
export function answerOtherMethods(app: Express): void {
  for (const [path, methods] of servedMethods(app)) {
    const allow = methods.join(', ');
    const handler: RequestHandler = (req, res) => {
      res.setHeader('Allow', allow);
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; it answers ${allow}`, { headers: { Allow: allow } });
    };
    // route().all, not app.all: one catch-all layer (app.all adds one per method Node knows).
    app.route(path).all(handler);
  }
}
