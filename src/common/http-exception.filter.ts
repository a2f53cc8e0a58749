import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnreachable, DependencyFailureListener } from './dependency-failures';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

// PostgreSQL error codes a client's input can cause; everything else is our fault (500).
const PG_ERRORS: Record<string, { status: number; message: string }> = {
  '23505': { status: HttpStatus.CONFLICT, message: 'A resource with these values already exists' },
  '23503': { status: HttpStatus.CONFLICT, message: 'The resource is referenced by or refers to another that does not exist' },
  '23502': { status: HttpStatus.BAD_REQUEST, message: 'A required value is missing' },
  '22021': { status: HttpStatus.BAD_REQUEST, message: 'A text value contains a character that cannot be stored (such as \\u0000)' },
  '22P05': { status: HttpStatus.BAD_REQUEST, message: 'A text value contains a character that cannot be stored (such as \\u0000)' },
  '22P02': { status: HttpStatus.BAD_REQUEST, message: 'A value has an invalid format' },
  '22001': { status: HttpStatus.BAD_REQUEST, message: 'A value is too long' },
  '22003': { status: HttpStatus.BAD_REQUEST, message: 'A number is out of range' },
  '22007': { status: HttpStatus.BAD_REQUEST, message: 'A date or time has an invalid format' },
  '22008': { status: HttpStatus.BAD_REQUEST, message: 'A date or time is out of range' },
};

// Errors raised by Express' body parser before Nest sees the request.
const BODY_PARSER_ERRORS: Record<string, { status: number; message: string }> = {
  'entity.parse.failed': { status: 400, message: 'Request body is not valid JSON' },
  'entity.too.large': { status: 413, message: 'Request body is larger than 100 kB' },
  'encoding.unsupported': { status: 415, message: 'Unsupported request body encoding' },
  'charset.unsupported': { status: 415, message: 'Unsupported request body charset' },
  'request.aborted': { status: 400, message: 'Request was aborted' },
};

/** Maps every error to `{ statusCode, error, message }`; no stack trace ever reaches a client. */
export function toErrorBody(exception: unknown, databasePort?: number): ErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? exception.message);
    return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
  }
  if (exception instanceof QueryFailedError) {
    const code = (exception.driverError as { code?: string } | undefined)?.code ?? '';
    const known = PG_ERRORS[code];
    if (known) return body(known.status, known.message);
  }
  // A dependency that is down is not a bug: 503 that names it (the filter adds Retry-After).
  if (databaseUnreachable(exception, databasePort)) return body(HttpStatus.SERVICE_UNAVAILABLE, 'database unavailable');
  const parserType = (exception as { type?: unknown } | null)?.type;
  if (typeof parserType === 'string' && BODY_PARSER_ERRORS[parserType]) {
    const known = BODY_PARSER_ERRORS[parserType];
    return body(known.status, known.message);
  }
  return body(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
}

function body(status: number, message: string): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  constructor(private readonly dependencies?: DependencyFailureListener) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (this.answerDependencyFailure(exception, res)) return;
    const errorBody = toErrorBody(exception);
    // Only unexpected errors are ours to investigate; a deliberate 503 (load shedding) is not.
    if (errorBody.statusCode >= 500 && !(exception instanceof HttpException)) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    if (res.headersSent) return;
    if (errorBody.statusCode === 401) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="kaizen-studio", ApiKey header="X-API-Key"');
    }
    const retryAfter = (exception instanceof HttpException ? exception.getResponse() : undefined) as
      | { retryAfter?: unknown }
      | undefined;
    if (typeof retryAfter?.retryAfter === 'number' && !res.getHeader('Retry-After')) {
      res.setHeader('Retry-After', String(retryAfter.retryAfter));
    }
    res.status(errorBody.statusCode).json(errorBody);
  }

  /** The database is unreachable: 503 + Retry-After, and no stack per request (the listener logs the outage once). */
  private answerDependencyFailure(exception: unknown, res: Response): boolean {
    if (exception instanceof HttpException) return false;
    const reason = databaseUnreachable(exception, this.dependencies?.databasePort);
    if (!reason) return false;
    this.dependencies?.databaseUnreachable(reason);
    if (res.headersSent) return true;
    res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    res.status(HttpStatus.SERVICE_UNAVAILABLE).json(body(HttpStatus.SERVICE_UNAVAILABLE, 'database unavailable'));
    return true;
  }
}
