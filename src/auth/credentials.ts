import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';

/** What every API key starts with: how a bearer credential is told apart from a user's token. */
export const API_KEY_MARKER = 'sk_live_';

export type Credential = { kind: 'api_key'; value: string } | { kind: 'user_token'; value: string };

/**
 * Reads the caller's credential: `Authorization: Bearer <token or sk_live_ key>` or
 * `X-API-Key: sk_live_...` (the spec's two ways). Returns undefined when neither is sent.
 */
export function readCredential(req: Request): Credential | undefined {
  const authorization = req.headers.authorization;
  const apiKeyHeader = req.headers['x-api-key'];
  let bearer: string | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
    if (!match) throw new UnauthorizedException("Authorization header must be 'Bearer <token>'");
    bearer = match[1];
  }
  if (Array.isArray(apiKeyHeader)) throw new BadRequestException('Send one X-API-Key header, not several');
  const apiKey = apiKeyHeader?.trim();
  if (apiKey !== undefined && bearer !== undefined && apiKey !== bearer) {
    throw new BadRequestException('Send one credential: Authorization or X-API-Key, not both');
  }
  if (apiKey !== undefined) {
    if (apiKey === '') throw new UnauthorizedException('X-API-Key header is empty');
    return { kind: 'api_key', value: apiKey };
  }
  if (bearer === undefined) return undefined;
  return bearer.startsWith(API_KEY_MARKER)
    ? { kind: 'api_key', value: bearer }
    : { kind: 'user_token', value: bearer };
}
