import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { registerDecorator, ValidationArguments } from 'class-validator';
import { MAX_METADATA_BYTES, metadataProblem } from '../key-metadata';
import { isAllowlistEntry, MAX_ALLOWLIST_ENTRIES } from '../verification/ip-allowlist';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;
const H = '[0-9a-fA-F]{1,4}';
// RFC 4291 text forms (no zone id), the usual alternation: full, then each place `::` can stand.
const IPV6 = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?:(?::${H}){1,7}|:)`,
  `::(?:ffff(?::0{1,4})?:)?${IPV4}`,
].join('|');

/**
 * The OpenAPI pattern of an allow-list entry: an IPv4 address or CIDR, or an IPv6 one. The server
 * checks with ipaddr.js (isAllowlistEntry); this says the same for the document's readers and tools.
 */
export const ALLOWLIST_ENTRY_PATTERN = `^(?:${IPV4}(?:/(?:3[0-2]|[12]?\\d))?|(?:${IPV6})(?:/(?:12[0-8]|1[01]\\d|[1-9]?\\d))?)$`;

function validator(name: string, validate: (value: unknown) => boolean, message: (value: unknown, property: string) => string): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName: String(propertyName),
      validator: { validate, defaultMessage: (args?: ValidationArguments) => message(args?.value, String(propertyName)) },
    });
}

function allowlistProblem(value: unknown, property: string): string | null {
  if (!Array.isArray(value)) return `${property} must be an array of IPv4/IPv6 addresses or CIDRs`;
  if (value.length > MAX_ALLOWLIST_ENTRIES) return `${property} must have at most ${MAX_ALLOWLIST_ENTRIES} entries`;
  const bad = value.find((entry) => !isAllowlistEntry(entry));
  if (bad !== undefined) return `${property} entry ${JSON.stringify(bad)} is not an IPv4/IPv6 address or CIDR`;
  return null;
}

/** `ip_allowlist`: at most 100 addresses or CIDRs; null (where the caller allows it) means none. */
export function IpAllowlistField(description: string) {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      isArray: true,
      maxItems: MAX_ALLOWLIST_ENTRIES,
      pattern: ALLOWLIST_ENTRY_PATTERN,
      example: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'],
      nullable: true,
      description,
    }),
    validator('isIpAllowlist', (value) => value == null || allowlistProblem(value, '') === null, (value, property) =>
      allowlistProblem(value, property) ?? `${property} is invalid`,
    ),
  );
}

/** `metadata`: a JSON object of at most 4 KB (UTF-8); null (where the caller allows it) means {}. */
export function MetadataField(description: string) {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      additionalProperties: true,
      nullable: true,
      example: { team: 'payments', environment: 'ci' },
      description: `${description} At most ${MAX_METADATA_BYTES} bytes as JSON (UTF-8).`,
    }),
    validator('isKeyMetadata', (value) => value == null || metadataProblem(value) === null, (value) =>
      metadataProblem(value) ?? 'metadata is invalid',
    ),
  );
}
