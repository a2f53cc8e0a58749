/**
 * Request bodies (DTO classes, by name) that must carry at least one field: a PATCH that changes
 * nothing is a client's mistake. The route's service refuses an empty one (400); the OpenAPI
 * document says `minProperties: 1` and that the body is required (see src/openapi/strict-schemas.ts).
 */
export const NON_EMPTY_BODIES = new Set<string>();

export function NonEmptyBody(): ClassDecorator {
  return (target) => {
    NON_EMPTY_BODIES.add(target.name);
  };
}
