import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';

/**
 * Where `vite build web` writes the console: dist/web. Compiled, this file is dist/src/console/, so the
 * folder is two levels up; run from source (the e2e tests), it is under the repository's dist/.
 */
export function consoleDir(): string {
  const root = resolve(__dirname, '..', '..');
  return basename(root) === 'dist' ? join(root, 'web') : join(root, 'dist', 'web');
}

/**
 * The console's own headers: a strict Content-Security-Policy (scripts, styles and connections from this
 * origin only; no inline code, which the Vite build does not emit) and helmet's other defaults. Kept here
 * rather than in any app-wide helmet so the API and Swagger UI keep their own policy.
 */
const consoleHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  // The console may be served over plain http on a private host; upgrading would break it there.
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'no-referrer' },
  xFrameOptions: { action: 'deny' },
});

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

/**
 * Serves the web console at `/`: its built files, and index.html for any other GET outside /api (the
 * console routes in the browser). The response is ended here, so app-wide middleware registered later
 * cannot replace the console's headers. Does nothing (and says so) when the console was not built.
 */
export function serveConsole(app: NestExpressApplication, dir = consoleDir()): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    new Logger('Console').warn(`No web console at ${dir}: run \`npm run build\` to build it`);
    return;
  }
  const files = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      // Hashed file names under assets/ never change; everything else is checked on each load.
      const hashed = path.startsWith(join(dir, 'assets'));
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const spaFallback: RequestHandler = (req, res, next) => {
    // A missing file (an extension in the path) is a 404 from the API's error filter, not the page.
    if (extname(req.path) !== '') return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    consoleHeaders(req, res, (err?: unknown) => {
      if (err) return next(err);
      files(req, res, (staticErr?: unknown) => (staticErr ? next(staticErr) : spaFallback(req, res, next)));
    });
  });
}
