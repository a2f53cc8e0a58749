import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { isUtf8 } from 'node:buffer';

/**
 * Text a route can be given is well-formed Unicode, checked once for every route before anything
 * reads it. Undecodable input otherwise goes on silently changed (invalid UTF-8 bytes become U+FFFD,
 * so two different passwords could hash alike) or reaches PostgreSQL, which refuses a lone UTF-16
 * surrogate (`"\ud800"` in JSON) with an error that was a 500 and a stack trace in the log.
 */

const NON_ASCII = /[\u0080-\uffff]/;

// Node 20 has String.prototype.isWellFormed (ES2024); the project's lib setting is ES2023.
declare global {
  interface String {
    isWellFormed(): boolean;
  }
}

/** Node hands over URL and header bytes as latin1 text: true when those bytes are not UTF-8. */
function notUtf8(latin1: string): boolean {
  return NON_ASCII.test(latin1) && !isUtf8(Buffer.from(latin1, 'latin1'));
}

const ESCAPES = 'valid percent-encoded UTF-8 (each %XX must be hex, and together they must spell UTF-8 characters)';

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the URL cannot be decoded, or undefined. Percent-escapes must spell UTF-8 (a surrogate never
 * does); a bad query parameter is named, as a validator would name it.
 */
export function urlProblem(url: string): string | undefined {
  if (notUtf8(url)) return 'The URL is not valid UTF-8';
  if (!url.includes('%')) return undefined;
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!decodes(path)) return `The URL path is not ${ESCAPES}`;
  if (queryAt === -1) return undefined;
  for (const pair of url.slice(queryAt + 1).split('&')) {
    if (decodes(pair)) continue;
    const name = pair.split('=', 1)[0];
    if (!decodes(name)) return `A query parameter name is not ${ESCAPES}`;
    return `Query parameter ${decodeURIComponent(name).slice(0, 64)} is not ${ESCAPES}`;
  }
  return undefined;
}

/** The name of the first header whose value is not UTF-8, or undefined. */
export function headerNotUtf8(rawHeaders: string[]): string | undefined {
  for (let i = 1; i < rawHeaders.length; i += 2) {
    if (notUtf8(rawHeaders[i])) return rawHeaders[i - 1];
  }
  return undefined;
}

/** True when every string and property name in a parsed body is well-formed (the common case: no paths built). */
function allWellFormed(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'string') {
      if (!node.isWellFormed()) return false;
    } else if (node !== null && typeof node === 'object' && depth <= maxDepth) {
      for (const key in node) {
        if (!key.isWellFormed()) return false;
        stack.push([(node as Record<string, unknown>)[key], depth + 1]);
      }
    }
  }
  return true;
}

/**
 * Where in a parsed body the first string (or property name) that is not well-formed UTF-16 sits:
 * `email`, `scopes[2]`, `(body)`, or `a property name` when the name itself is the culprit.
 * Walked iteratively with a depth bound so that the walk itself cannot overflow.
 */
export function malformedStringAt(value: unknown, maxDepth = 64): string | undefined {
  if (allWellFormed(value, maxDepth)) return undefined;
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [node, path, depth] = stack.pop()!;
    if (typeof node === 'string') {
      if (!node.isWellFormed()) return path || '(body)';
      continue;
    }
    if (node === null || typeof node !== 'object' || depth > maxDepth) continue;
    if (Array.isArray(node)) {
      node.forEach((child, index) => stack.push([child, `${path}[${index}]`, depth + 1]));
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (!key.isWellFormed()) return 'a property name';
      stack.push([child, path ? `${path}.${key}` : key, depth + 1]);
    }
  }
  return undefined;
}

/** Refuses a request whose URL or headers cannot be decoded, before its body is read. */
export function rejectUndecodableRequest(req: Request, _res: Response, next: NextFunction): void {
  const url = urlProblem(req.url);
  if (url) return next(new BadRequestException(url));
  const header = headerNotUtf8(req.rawHeaders);
  if (header) return next(new BadRequestException(`Header ${header} is not valid UTF-8`));
  next();
}

/**
 * body-parser's `verify` hook for JSON: the raw bytes of a body declared UTF-8 must be UTF-8.
 * Thrown errors keep their status (400) and reach the exception filter like any other.
 */
export function verifyUtf8Body(_req: IncomingMessage, _res: unknown, body: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(body)) {
    throw new BadRequestException('Request body is not valid UTF-8');
  }
}

/** The same for a form body, whose percent-escapes must spell UTF-8 too (the parser would turn them into U+FFFD). */
export function verifyUtf8FormBody(req: IncomingMessage, res: unknown, body: Buffer, encoding: string): void {
  verifyUtf8Body(req, res, body, encoding);
  if (body.includes(0x25) && urlProblem(body.toString('latin1'))) {
    throw new BadRequestException('Request body is not valid percent-encoded UTF-8');
  }
}

/** Refuses a parsed body holding a lone UTF-16 surrogate (only a `\uD800`-style JSON escape can make one). */
export function rejectMalformedBody(req: Request, _res: Response, next: NextFunction): void {
  const at = malformedStringAt(req.body);
  if (at) {
    return next(
      new BadRequestException(`${at} is not well-formed Unicode: it contains a lone UTF-16 surrogate (such as \\ud800)`),
    );
  }
  next();
}
