/**
 * Generates the Python SDK's derived files (sdk/python/studio/):
 *   models.py   typed models for the OpenAPI document sdk/generated/openapi.json: a dataclass per response
 *               schema, a TypedDict per request body and per operation's query parameters; wire (snake_case) names
 *   _client.py  the synchronous client, written from the hand-written asyncio client _async_client.py by
 *               removing async/await (the "unasync" approach of httpcore), so both clients share one source
 * Run by `npm run sdk:generate` after the TypeScript generation; sdk/python-generated.spec.ts fails when stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
export const OPENAPI_JSON = join(ROOT, 'sdk', 'generated', 'openapi.json');
export const PYTHON_MODELS_FILE = join(ROOT, 'sdk', 'python', 'studio', 'models.py');
export const PYTHON_ASYNC_CLIENT_FILE = join(ROOT, 'sdk', 'python', 'studio', '_async_client.py');
export const PYTHON_SYNC_CLIENT_FILE = join(ROOT, 'sdk', 'python', 'studio', '_client.py');

// The parts of an OpenAPI 3.0/3.1 document the models are built from.
interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  description?: string;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface OpenApiDocument {
  info?: { title?: string; version?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const PYTHON_KEYWORDS = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield').split(' '),
);

/** A Python identifier for a wire name: keywords get a trailing underscore (`from` -> `from_`), as the SDK strips it. */
const pyName = (wire: string) => (PYTHON_KEYWORDS.has(wire) ? `${wire}_` : wire);

const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** A Python literal for a JSON scalar (JSON's string escapes are Python's too). */
function pyLiteral(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return JSON.stringify(value);
}

/** The Python annotation for a schema; `names` maps component names to the Python class used for them. */
function pyType(schema: Schema | undefined, names: (component: string) => string): string {
  if (!schema || Object.keys(schema).length === 0) return 'Any';
  const nullable = (inner: string) => (schema.nullable && inner !== 'Any' ? `Optional[${inner}]` : inner);
  if (schema.$ref) return nullable(names(refName(schema.$ref)));
  if (schema.allOf?.length === 1) return nullable(pyType(schema.allOf[0], names));
  const union = schema.oneOf ?? schema.anyOf;
  if (union) {
    const members = union.filter((s) => s.type !== 'null').map((s) => pyType(s, names));
    const inner = members.length === 1 ? members[0] : `Union[${members.join(', ')}]`;
    return members.length < union.length || schema.nullable ? `Optional[${inner}]` : inner;
  }
  if (schema.enum) return nullable(`Literal[${schema.enum.map(pyLiteral).join(', ')}]`);
  if (schema.const !== undefined) return nullable(`Literal[${pyLiteral(schema.const)}]`);
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null').map((type) => pyType({ ...schema, type, nullable: false }, names));
    const inner = types.length === 1 ? types[0] : `Union[${types.join(', ')}]`;
    return types.length < schema.type.length ? `Optional[${inner}]` : inner;
  }
  switch (schema.type) {
    case 'string':
      return nullable('str');
    case 'integer':
      return nullable('int');
    case 'number':
      return nullable('float');
    case 'boolean':
      return nullable('bool');
    case 'array':
      return nullable(`List[${pyType(schema.items, names)}]`);
    case 'object': {
      const values = typeof schema.additionalProperties === 'object' ? pyType(schema.additionalProperties, names) : 'Any';
      return nullable(`Dict[str, ${values}]`);
    }
    default:
      return 'Any';
  }
}

/** Component names referenced (directly or through other components) from `roots`. */
function reachable(roots: Schema[], components: Record<string, Schema>): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        const name = refName(inner);
        if (!found.has(name)) {
          found.add(name);
          visit(components[name]);
        }
      } else visit(inner);
    }
  };
  roots.forEach(visit);
  return found;
}

/** `#: ` comment lines for a description (Sphinx's attribute-doc style), indented. */
function docComment(description: string | undefined, indent: string): string[] {
  if (!description) return [];
  return description.split('\n').map((line) => `${indent}#: ${line}`.trimEnd());
}

/** A class docstring, escaped. */
function docstring(text: string, indent: string): string {
  return `${indent}"""${text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')}"""`;
}

/** Required properties in the schema's order first, then the optional ones by name. */
function orderedProperties(schema: Schema): Array<[string, Schema, boolean]> {
  const properties = schema.properties ?? {};
  const required = (schema.required ?? []).filter((name) => name in properties);
  const optional = Object.keys(properties)
    .filter((name) => !required.includes(name))
    .sort();
  return [...required.map((n) => [n, properties[n], true] as [string, Schema, boolean]), ...optional.map((n) => [n, properties[n], false] as [string, Schema, boolean])];
}

function renderDataclass(name: string, schema: Schema, names: (c: string) => string): string[] {
  const lines = ['', '', '@dataclass', `class ${name}:`, docstring(schema.description ?? `\`${name}\` in the OpenAPI document.`, '    ')];
  for (const [wire, property, required] of orderedProperties(schema)) {
    lines.push(...docComment(property.description, '    '));
    const type = pyType(property, names);
    if (required) lines.push(`    ${pyName(wire)}: ${type}`);
    else lines.push(`    ${pyName(wire)}: ${type.startsWith('Optional[') || type === 'Any' ? type : `Optional[${type}]`} = None`);
  }
  if (!schema.properties || Object.keys(schema.properties).length === 0) lines.push('    pass');
  return lines;
}

/**
 * A TypedDict in the classic two-class form (required keys in a total base, optional ones in a total=False
 * subclass), which every supported Python accepts; keys a Python keyword cannot be carry a trailing `_`.
 */
function renderTypedDict(name: string, description: string, fields: Array<[string, Schema, boolean]>, names: (c: string) => string): string[] {
  const required = fields.filter(([, , isRequired]) => isRequired);
  const optional = fields.filter(([, , isRequired]) => !isRequired);
  const field = ([wire, schema]: [string, Schema, boolean]) => [
    ...docComment(schema.description, '    '),
    `    ${pyName(wire)}: ${pyType(schema, names)}`,
  ];
  const lines: string[] = [];
  let base = 'TypedDict';
  if (required.length > 0 && optional.length > 0) {
    base = `_${name}Required`;
    lines.push('', '', `class ${base}(TypedDict):`, ...required.flatMap(field));
  }
  const total = optional.length > 0 ? ', total=False' : '';
  lines.push('', '', `class ${name}(${base}${total}):`, docstring(description, '    '));
  const own = base === 'TypedDict' ? fields : optional;
  lines.push(...own.flatMap(field));
  if (own.length === 0) lines.push('    pass');
  return lines;
}

/** `AgentsController_usageHistory` -> `AgentsUsageHistory`. */
function operationName(operationId: string): string {
  const [controller, method = ''] = operationId.split('_');
  return controller.replace(/Controller$/, '') + method.charAt(0).toUpperCase() + method.slice(1);
}

/** models.py for the document: its text depends on the document only. */
export function renderPythonModels(document: OpenApiDocument): string {
  const components = document.components?.schemas ?? {};
  const operations = Object.values(document.paths ?? {}).flatMap((item) => Object.values(item));
  const bodies = operations.flatMap((op) => Object.values(op.requestBody?.content ?? {}).map((media) => media.schema ?? {}));
  const responses = operations.flatMap((op) =>
    Object.values(op.responses ?? {}).flatMap((response) => Object.values(response.content ?? {}).map((media) => media.schema ?? {})),
  );
  const inResponses = reachable(responses, components);
  const inBodies = reachable(bodies, components);
  // A schema sent as a body is a TypedDict (callers write dicts or keyword arguments); a schema that is
  // also received gets its TypedDict under `<Name>Params` beside the dataclass.
  const paramsName = (name: string) => (inResponses.has(name) ? `${name}Params` : name);
  const responseNames = (name: string) => name;

  const out: string[] = [
    `"""Typed models of the ${document.info?.title ?? 'API'} (OpenAPI document version ${document.info?.version ?? '?'}).`,
    '',
    'Generated by scripts/generate-python-sdk.ts from sdk/generated/openapi.json: do not edit; run',
    '`npm run sdk:generate`. Responses are dataclasses, request bodies and query parameters TypedDicts;',
    'field names are the wire names (snake_case), with a trailing underscore where the name is a Python keyword.',
    '"""',
    '',
    'from __future__ import annotations',
    '',
    'from dataclasses import dataclass',
    'from typing import Any, Dict, List, Literal, Optional, TypedDict, Union',
  ];
  const exported: string[] = [];
  for (const name of Object.keys(components).sort()) {
    const schema = components[name];
    if (inBodies.has(name)) {
      exported.push(paramsName(name));
      out.push(...renderTypedDict(paramsName(name), schema.description ?? `Request body \`${name}\`.`, orderedProperties(schema), paramsName));
    }
    if (inResponses.has(name) || !inBodies.has(name)) {
      exported.push(name);
      out.push(...renderDataclass(name, schema, responseNames));
    }
  }
  const queries = operations
    .filter((op) => op.operationId && (op.parameters ?? []).some((p) => p.in === 'query'))
    .sort((a, b) => operationName(a.operationId!).localeCompare(operationName(b.operationId!)));
  for (const op of queries) {
    const name = `${operationName(op.operationId!)}Query`;
    const fields = (op.parameters ?? [])
      .filter((p) => p.in === 'query')
      .map((p) => [p.name, { ...p.schema, description: p.description ?? p.schema?.description }, Boolean(p.required)] as [string, Schema, boolean]);
    exported.push(name);
    out.push(...renderTypedDict(name, `Query parameters of \`${op.operationId}\`.`, fields, paramsName));
  }
  out.push('', '', '__all__ = [', ...exported.sort().map((name) => `    ${JSON.stringify(name)},`), ']', '');
  return out.join('\n');
}

/** The synchronous client's source, from the asyncio client's: the same code without async and await. */
export function renderSyncClient(asyncSource: string): string {
  const docEnd = asyncSource.startsWith('"""') ? asyncSource.indexOf('"""', 3) + 3 : 0;
  const header = [
    '"""The synchronous client: KaizenClient and its resources.',
    '',
    'Generated by scripts/generate-python-sdk.ts from _async_client.py (async and await removed): do not edit;',
    'change _async_client.py and run `npm run sdk:generate`.',
    '"""',
  ].join('\n');
  const replacements: Array<[RegExp, string]> = [
    [/\basync def\b/g, 'def'],
    [/\bawait /g, ''],
    [/\basync (for|with)\b/g, '$1'],
    [/\b__aenter__\b/g, '__enter__'],
    [/\b__aexit__\b/g, '__exit__'],
    [/\baclose\b/g, 'close'],
    [/\bimport asyncio\b/g, 'import time'],
    [/\basyncio\.sleep\b/g, 'time.sleep'],
    // AsyncKaizenClient, _AsyncCrud, httpx.AsyncClient, httpx.AsyncBaseTransport, typing.AsyncIterator ...
    [/\b(_?)Async(?=[A-Z])/g, '$1'],
  ];
  let body = asyncSource.slice(docEnd);
  for (const [pattern, replacement] of replacements) body = body.replace(pattern, replacement);
  return header + body;
}

async function main(): Promise<void> {
  const document = JSON.parse(await readFile(OPENAPI_JSON, 'utf8')) as OpenApiDocument;
  await writeFile(PYTHON_MODELS_FILE, renderPythonModels(document));
  await writeFile(PYTHON_SYNC_CLIENT_FILE, renderSyncClient(await readFile(PYTHON_ASYNC_CLIENT_FILE, 'utf8')));
  for (const file of [PYTHON_MODELS_FILE, PYTHON_SYNC_CLIENT_FILE]) console.log(`wrote ${relative(process.cwd(), file)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
