import type { OpenAPIObject } from '@nestjs/swagger';
import type { Scope } from '../auth/scopes';

type PathItem = OpenAPIObject['paths'][string];

/** An operation of the generated document, with the access extensions our decorators set. */
export type Operation = NonNullable<PathItem['get']> & {
  'x-required-scopes'?: Scope[];
  'x-required-roles'?: string[];
  'x-public'?: boolean;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function forEachOperation(document: OpenAPIObject, fn: (operation: Operation, path: string) => void): void {
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (operation) fn(operation as Operation, path);
    }
  }
}
