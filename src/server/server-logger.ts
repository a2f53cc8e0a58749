import { LoggerService } from '@nestjs/common';
import pino from 'pino';

// Nest's own start-up chatter (a line per module, per controller and per route, "starting",
// "successfully started") is for debugging; an operator gets one line with the URL instead.
const CHATTER = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);
// Nest reports a failed start-up (and a failed listen) itself and then hands the same error to
// main.ts, which logs it once, with the fix.
const REPORTED_BY_MAIN = new Set(['ExceptionHandler', 'NestApplication']);

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The JSON logger for the lines written before the app's own (nestjs-pino) logger exists. */
export function createBootLogger(): pino.Logger {
  const level = process.env.LOG_LEVEL;
  // Even LOG_LEVEL=silent hears why the process could not start: an exit 1 with no reason helps nobody.
  if (level === 'silent') return pino({ level: 'fatal' });
  return pino({ level: level && LEVELS.includes(level) ? level : 'info' });
}

function contextOf(params: unknown[]): string {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : '';
}

/** Passes Nest's log calls to `target`, with Nest's chatter moved to debug and duplicate failure reports dropped. */
export class ServerLogger implements LoggerService {
  constructor(private readonly target: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    if (CHATTER.has(contextOf(params))) this.target.debug?.(message, ...params);
    else this.target.log(message, ...params);
  }
  error(message: unknown, ...params: unknown[]): void {
    if (REPORTED_BY_MAIN.has(contextOf(params))) this.target.debug?.(message, ...params);
    else this.target.error(message, ...params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.target.warn(message, ...params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.target.debug?.(message, ...params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.target.verbose?.(message, ...params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.target.fatal?.(message, ...params);
  }
}

/** Nest's LoggerService over a plain pino logger: `(message, context)` and `(message, stack, context)`. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: pino.Logger) {}

  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    const context = params.length ? contextOf(params) : undefined;
    const stack = level === 'error' && params.length > 1 && typeof params[0] === 'string' ? params[0] : undefined;
    this.pino[level]({ context, stack }, typeof message === 'string' ? message : JSON.stringify(message));
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
}
