import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ALL_SCOPES, grants, Scope } from '../auth/scopes';
import { ROLES } from '../organizations/role';
import { ErrorResponse } from '../common/error-response';

type PathItem = OpenAPIObject['paths'][string];
type Operation = NonNullable<PathItem['get']> & {
  'x-required-scopes'?: Scope[];
  'x-required-roles'?: string[];
  'x-public'?: boolean;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const ERROR_SCHEMA = { $ref: `#/components/schemas/${ErrorResponse.name}` };

/** The OpenAPI document of the app, as served at /api/docs-json. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Kaizen Studio API')
    .setDescription(
      'Organizations, members, API keys and the resources they protect.\n\n' +
        'Authorize with a user access token (from `POST /api/v1/auth/login`) or an `sk_live_` API key as an ' +
        'HTTP bearer token, or with an API key in the `X-API-Key` header. Each resource route names the scopes ' +
        "it requires; users hold their role's scopes (viewers: the read scopes), API keys the scopes they were " +
        'created with. Key, organization and member management is for users only. Every error is ' +
        '`{ statusCode, error, message }`.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'User access token or sk_live_ API key' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'sk_live_ API key' }, 'api-key')
    // Default deny, as the global guard: credentials are needed unless an operation says `security: []`.
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponse] });
  forEachOperation(document, describeAccess);
  return document;
}

/** OpenAPI document and Swagger UI at /api/docs (JSON at /api/docs-json). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'Kaizen Studio API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}

function forEachOperation(document: OpenAPIObject, fn: (operation: Operation) => void): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (operation) fn(operation as Operation);
    }
  }
}

/**
 * Turns the access extensions set by @Scopes(), @UsersOnly() and @Public() into what a reader and
 * Swagger UI see: a sentence in the description, `security: []` on public routes, and the
 * ErrorResponse schema on every error response that does not name one.
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
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!response || Number(status) < 400 || '$ref' in response || response.content) continue;
    response.content = {
      'application/json': {
        schema: ERROR_SCHEMA,
        example: { statusCode: Number(status), error: STATUS_CODES[status], message: response.description },
      },
    };
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
