import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { appConfig } from '../config/app.config';
import { redactHeaders, redactSecrets } from './key-redaction';

// By path, for objects logged whole; the serializers below also replace any credential-named header.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'key',
  '*.key',
  'plainKey',
  '*.plainKey',
  'access_token',
  '*.access_token',
];

/** Scrubs secret-shaped strings (keys, JWTs, `password=`) from plain values (strings, arrays, plain objects, errors) before they are written. */
export function scrubKeys(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubKeys(value.message), stack: scrubKeys(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => scrubKeys(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // sockets, requests: left to serializers
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubKeys(v, depth + 1)]));
}

/**
 * Structured JSON logs (pino) with a request id on every line, echoed in X-Request-Id.
 * Credentials are redacted by path and by header name, and secret-shaped strings anywhere (URLs with
 * their query strings, every header, messages) are scrubbed (common/key-redaction.ts).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
          genReqId: (req, res) => {
            const incoming = req.headers['x-request-id'];
            const id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
            res.setHeader('X-Request-Id', id);
            return id;
          },
          formatters: { log: (object: Record<string, unknown>) => scrubKeys(object) as Record<string, unknown> },
          hooks: {
            logMethod(args, method) {
              method.apply(this, args.map((arg) => scrubKeys(arg)) as Parameters<typeof method>);
            },
          },
          serializers: {
            // Serializers run after the formatters, so they scrub their own output (a key pasted into a URL).
            req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
              id: req.id,
              method: req.method,
              url: redactSecrets(req.url),
              headers: redactHeaders(req.headers),
            }),
            res: (res: { statusCode: number; headers?: Record<string, unknown> }) => ({
              statusCode: res.statusCode,
              headers: redactHeaders(res.headers),
            }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
