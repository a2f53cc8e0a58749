import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet). Every response, the web console's included, says `nosniff`; under
 * /api helmet's full set is sent with a Content-Security-Policy that fits what is served there:
 * Swagger UI at /api/docs (scripts and styles from this origin; its page has inline <style>
 * blocks and React sets style attributes, so styles may be inline; icons are data: URIs), and
 * nothing a browser should render anywhere else (JSON). Neither may be framed (clickjacking).
 * The console at `/` sends its own CSP from its own middleware, so none is set outside /api here.
 */
export const DOCS_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
};

/** The JSON API renders nothing: no source of any kind, no framing. */
export const API_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
};

const withCsp = (directives: Record<string, string[]>): RequestHandler =>
  helmet({
    // useDefaults: false, so helmet adds no `upgrade-insecure-requests`: the shipped compose file
    // serves plain HTTP on port 3000, where that directive would send Swagger UI's requests to https.
    contentSecurityPolicy: { useDefaults: false, directives },
    frameguard: { action: 'deny' },
  });

const docsHeaders = withCsp(DOCS_CSP_DIRECTIVES);
const apiHeaders = withCsp(API_CSP_DIRECTIVES);

/** /api/docs and its assets (not /api/docs-json, which is JSON). */
const isDocsPage = (path: string) => path === '/docs' || path.startsWith('/docs/');

/** Mounted on /api: the docs page's headers or the JSON API's. */
export function apiSecurityHeaders(req: Request, res: Response, next: NextFunction): void {
  (isDocsPage(req.path) ? docsHeaders : apiHeaders)(req, res, next);
}

/** `X-Content-Type-Options: nosniff`, for every response. */
export const noSniff: RequestHandler = helmet.xContentTypeOptions();

/**
 * `Cache-Control: no-store` on every /api/v1 response, not only on those that carry a secret
 * (create and rotate a key, login, register): every response there is either a secret or one
 * organization's data read with credentials, none is meant for a shared or browser cache, and
 * conditional GETs are off (no ETag), so nothing is lost; and a route added later that returns a
 * secret cannot forget the header. Routes that set their own Cache-Control (health) keep it.
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
