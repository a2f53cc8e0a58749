import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI document and Swagger UI at /api/docs (JSON at /api/docs-json). */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Kaizen Studio API')
    .setDescription(
      'Organizations, members, API keys and the resources they protect. Authorize with a user access ' +
        'token or an `sk_live_` API key (HTTP bearer), or with an API key in the `X-API-Key` header.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'User access token or sk_live_ API key' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
