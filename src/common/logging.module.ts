import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { appConfig } from '../config/app.config';
import { redactKeys } from './key-redaction';


export const REDACTED_PATHS = [
  'req.headers.authorization',
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

/** Scrubs key-shaped strings from plain values (strings, arrays, plain objects, errors) before they are written. */
export function scrubKeys(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactKeys(value);
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
 * Credentials are redacted by path, and key-shaped strings anywhere (URLs, messages) are scrubbed.
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
              url: scrubKeys(req.url),
              headers: scrubKeys(req.headers),
            }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
