import { readFile } from 'node:fs/promises';
import {
  buildOpenApiDocument,
  OPENAPI_FILE,
  renderSchema,
  SCHEMA_FILE,
  serializeDocument,
} from '../scripts/generate-sdk';

/** Fails naming the file, the fix and the first line that differs. */
function expectUpToDate(file: string, committed: string, current: string): void {
  if (committed === current) return;
  const [a, b] = [committed.split('\n'), current.split('\n')];
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  throw new Error(
    `${file} is stale: run npm run sdk:generate (and commit sdk/generated/).\n` +
      `First difference at line ${at + 1}:\n  committed: ${a[at] ?? '<end of file>'}\n  current:   ${b[at] ?? '<end of file>'}`,
  );
}

const readOrEmpty = (file: string) => readFile(file, 'utf8').catch(() => '');

describe('the SDK generated from the OpenAPI document', () => {
  it('sdk/generated/openapi.json is the document the current app serves', async () => {
    const current = serializeDocument(await buildOpenApiDocument());
    expectUpToDate('sdk/generated/openapi.json', await readOrEmpty(OPENAPI_FILE), current);
  });

  it("sdk/generated/schema.d.ts is openapi-typescript's output for that document", async () => {
    expectUpToDate('sdk/generated/schema.d.ts', await readOrEmpty(SCHEMA_FILE), await renderSchema(OPENAPI_FILE));
  });
});
