import { INestApplication, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { NON_EMPTY_BODIES } from '../common/non-empty-body';
import { forEachOperation } from './operations';

type Json = Record<string, unknown>;

/**
 * What ParseUUIDPipe and class-validator's @IsUUID() accept (versions 1-8, the nil and the max UUID).
 * `format: uuid` alone would also allow a `urn:uuid:` prefix and any version digit.
 */
export const UUID_PATTERN =
  '^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|' +
  '00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$';

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: (PipeTransform | (new (...args: never[]) => PipeTransform))[];
}

/**
 * `format: uuid` on every path parameter its handler parses with ParseUUIDPipe (`UuidParam()`),
 * read from the same route metadata Nest runs, so the document cannot say less than the server checks.
 */
export function markUuidPathParameters(app: INestApplication, document: OpenAPIObject): void {
  const uuidParams = new Map<string, Set<string>>(); // operationId -> parameter names
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      for (const key of Object.getOwnPropertyNames(controller.prototype)) {
        const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) as Record<string, RouteArgument> | undefined;
        for (const [slot, arg] of Object.entries(args ?? {})) {
          const isParam = slot.startsWith(`${RouteParamtypes.PARAM}:`);
          const parsesUuid = arg.pipes?.some((pipe) => pipe instanceof ParseUUIDPipe || pipe === ParseUUIDPipe);
          if (!isParam || !parsesUuid || typeof arg.data !== 'string') continue;
          const id = `${controller.name}_${key}`;
          uuidParams.set(id, (uuidParams.get(id) ?? new Set()).add(arg.data));
        }
      }
    }
  }
  forEachOperation(document, (operation) => {
    const names = uuidParams.get(operation.operationId ?? '');
    for (const parameter of operation.parameters ?? []) {
      if ('$ref' in parameter || parameter.in !== 'path' || !names?.has(parameter.name)) continue;
      parameter.schema = { type: 'string', format: 'uuid' };
    }
  });
}

/**
 * What ValidationPipe (whitelist + forbidNonWhitelisted) and the response mappers make true of
 * every schema, said once here rather than on each DTO:
 * - no properties beyond those listed (`additionalProperties: false`), in requests and responses;
 * - a UUID is exactly what the server accepts (UUID_PATTERN);
 * - a request body whose every field is optional may be left out (`requestBody.required: false`),
 *   unless it must name at least one field (@NonEmptyBody(): `minProperties: 1`, required).
 */
export function tightenSchemas(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Json>;
  for (const schema of Object.values(schemas)) {
    if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) {
      schema.additionalProperties = false;
    }
  }
  for (const name of NON_EMPTY_BODIES) if (schemas[name]) schemas[name].minProperties = 1;
  walk(document, (node) => {
    if (node.type === 'string' && node.format === 'uuid' && node.pattern === undefined) node.pattern = UUID_PATTERN;
  });
  forEachOperation(document, (operation) => {
    const body = operation.requestBody;
    if (!body || '$ref' in body) return;
    const ref = (body.content['application/json']?.schema as { $ref?: string } | undefined)?.$ref;
    const schema = ref ? schemas[ref.split('/').pop() as string] : undefined;
    if (schema && !(schema.required as string[] | undefined)?.length && !schema.minProperties) body.required = false;
  });
}

function walk(node: unknown, visit: (node: Json) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node && typeof node === 'object') {
    visit(node as Json);
    for (const value of Object.values(node)) walk(value, visit);
  }
}
