import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ALL_SCOPES, grants, Scope } from '../auth/scopes';
import { forEachOperation, Operation } from './operations';
import { ROLES } from '../organizations/role';
import { ErrorResponse } from '../common/error-response';
import { addImpliedResponses, useErrorSchema } from './implied-responses';
import { Access, headerComponents, headersFor } from './response-headers';
import { markUuidPathParameters, tightenSchemas } from './strict-schemas';

/** Every tag a controller uses (@ApiTags), with what it groups; the document test checks none is missing. */
export const TAGS: Record<string, string> = {
  auth: 'Register an organization, log in, and read who the caller is',
  organizations: "The caller's organization and its members (users only)",
  'api-keys': 'Create, list, rotate and revoke API keys, and read their usage (users only); report leaked keys (public)',
  'secret-scanning': "GitHub's secret-scanning partner endpoint: keys GitHub found in public, signed by GitHub",
  audit: 'Who created, rotated and revoked keys and changed members (owners and admins)',
  agents: 'Agents (scopes agents:read / agents:write)',
  deployments: 'Deployments of agents (scopes deployments:read / deployments:write)',
  pipelines: 'Pipelines (scopes pipelines:read / pipelines:write)',
  gateways: 'Gateways (scopes gateways:read / gateways:write)',
  metrics: "The organization's resource counts and API-key request totals (scope metrics:read)",
  health: 'Liveness and readiness',
  webhooks: 'Signed webhook endpoints for key and member events, their delivery log and redelivery (owners and admins)',
};

/**
 * Relative: the server that serves the document (Swagger UI then calls its own origin). The paths
 * carry their own /api/v1 prefix; `npm start` serves on http://localhost:3000.
 */
export const SERVER = '/';

const DESCRIPTION = [
  'Organizations, members, API keys and the resources they protect. Every error is `{ statusCode, error, message }`.',
  '**Authorize with one credential at a time.** A request carries either `Authorization: Bearer <credential>` ' +
    '(the `bearer` scheme: a user access token from `POST /api/v1/auth/login`, or an `sk_live_` API key) or ' +
    '`X-API-Key: sk_live_...` (the `api-key` scheme). Two different credentials in one request are refused with ' +
    '400 ("Send one credential"), so in Swagger UI fill in only one of the two schemes under **Authorize**.',
  "Each resource route names the scopes it requires; users hold their role's scopes (viewers: the read scopes), " +
    'API keys the scopes they were created with. Key, organization and member management is for users only.',
  'Every response to an API key carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`, and the ' +
    'same numbers as the IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-10); ' +
    '429 and 503 carry `Retry-After`; every response carries `X-Request-Id`.',
].join('\n\n');

/** The OpenAPI document of the app, as served at /api/docs-json. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Kaizen Studio API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0')
    // Proprietary (package.json: UNLICENSED): a name, and no licence URL to give (see .redocly.yaml).
    .setLicense('Proprietary', '')
    .addServer(SERVER, 'The server this document is served from (http://localhost:3000 after `npm start`)')
    // addSecurity, not addBearerAuth: that one adds `bearerFormat: JWT`, which an sk_live_ key is not.
    .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'User access token (JWT) or sk_live_ API key' })
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'sk_live_ API key (instead of the bearer scheme, not with it)' },
      'api-key',
    )
    // Default deny, as the global guard: credentials are needed unless an operation says `security: []`.
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('api-key');
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ErrorResponse] });
  delete document.info.license?.url;
  document.components = { ...document.components, headers: headerComponents() };
  markUuidPathParameters(app, document);
  forEachOperation(document, (operation) => {
    const access = accessOf(operation);
    describeAccess(operation);
    addImpliedResponses(operation, access);
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!response || '$ref' in response) continue;
      useErrorSchema(status, response);
      const headers = headersFor({ status: Number(status), access });
      if (Object.keys(headers).length) response.headers = headers;
      else delete response.headers;
    }
  });
  tightenSchemas(document);
  return document;
}

/** OpenAPI document and Swagger UI at /api/docs (JSON at /api/docs-json). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'Kaizen Studio API',
    // Not persisted: Swagger UI would keep the token or key in localStorage, readable by any script on the origin.
    swaggerOptions: { persistAuthorization: false, displayRequestDuration: true },
  });
}

function accessOf(operation: Operation): Access {
  if (operation['x-public']) return 'public';
  return operation['x-required-roles'] ? 'users' : 'scoped';
}

/**
 * Turns the access extensions set by @Scopes(), @UsersOnly() and @Public() into what a reader and
 * Swagger UI see: a sentence in the description, and `security: []` on public routes.
 */
function describeAccess(operation: Operation): void {
  const sentences: string[] = [];
  const scopes = operation['x-required-scopes'];
  if (scopes?.length) sentences.push(scopeSentence(scopes));
  const roles = operation['x-required-roles'];
  if (roles?.length) sentences.push(roleSentence(roles));
  if (operation['x-public']) {
    operation.security = [];
    delete operation['x-public'];
    sentences.push('Public: no credentials needed.');
  }
  if (sentences.length) {
    operation.description = [operation.description, ...sentences].filter(Boolean).join('\n\n');
  }
}

/** "Requires scope: `agents:read` (`agents:write` also grants it)." from the same grants() the guard uses. */
export function scopeSentence(scopes: readonly Scope[]): string {
  const parts = scopes.map((scope) => {
    const alternatives = ALL_SCOPES.filter((other) => other !== scope && grants([other], scope));
    const also = alternatives.map((other) => `\`${other}\``).join(' or ');
    return alternatives.length ? `\`${scope}\` (${also} also grants it)` : `\`${scope}\``;
  });
  return `Requires scope${scopes.length > 1 ? 's' : ''}: ${parts.join(' and ')}.`;
}

/** "Users only (API keys are refused); roles: `owner` or `admin`." */
function roleSentence(roles: readonly string[]): string {
  if (ROLES.every((role) => roles.includes(role))) return 'Users only (API keys are refused); any role.';
  const names = roles.map((role) => `\`${role}\``);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names[0];
  return `Users only (API keys are refused); role${names.length > 1 ? 's' : ''}: ${list}.`;
}
