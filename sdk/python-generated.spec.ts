import { readFile } from 'node:fs/promises';
import {
  OPENAPI_JSON,
  PYTHON_ASYNC_CLIENT_FILE,
  PYTHON_MODELS_FILE,
  PYTHON_SYNC_CLIENT_FILE,
  renderPythonModels,
  renderSyncClient,
} from '../scripts/generate-python-sdk';

/** Fails naming the file, the fix and the first line that differs. */
function expectUpToDate(file: string, committed: string, current: string): void {
  if (committed === current) return;
  const [a, b] = [committed.split('\n'), current.split('\n')];
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  throw new Error(
    `${file} is stale: run npm run sdk:generate (and commit it).\n` +
      `First difference at line ${at + 1}:\n  committed: ${a[at] ?? '<end of file>'}\n  current:   ${b[at] ?? '<end of file>'}`,
  );
}

const readOrEmpty = (file: string) => readFile(file, 'utf8').catch(() => '');

describe('the Python SDK generated from the OpenAPI document', () => {
  it('sdk/python/studio/models.py is the generator output for sdk/generated/openapi.json', async () => {
    const document = JSON.parse(await readFile(OPENAPI_JSON, 'utf8'));
    expectUpToDate('sdk/python/studio/models.py', await readOrEmpty(PYTHON_MODELS_FILE), renderPythonModels(document));
  });

  it('sdk/python/studio/_client.py is the synchronous form of _async_client.py', async () => {
    const current = renderSyncClient(await readFile(PYTHON_ASYNC_CLIENT_FILE, 'utf8'));
    expectUpToDate('sdk/python/studio/_client.py', await readOrEmpty(PYTHON_SYNC_CLIENT_FILE), current);
  });
});

describe('renderPythonModels', () => {
  const render = (schemas: Record<string, unknown>, paths: Record<string, unknown> = {}) =>
    renderPythonModels({ info: { title: 'T', version: '1' }, components: { schemas }, paths } as never);

  it('changes when the document does', async () => {
    const document = JSON.parse(await readFile(OPENAPI_JSON, 'utf8'));
    const changed = structuredClone(document);
    changed.components.schemas.AgentResponse.properties.owner = { type: 'string' };
    expect(renderPythonModels(changed)).not.toBe(renderPythonModels(document));
    expect(renderPythonModels(changed)).toContain('    owner: Optional[str] = None');
  });

  it('maps OpenAPI 3.0 and 3.1 types to annotations, keywords to a trailing underscore', () => {
    const out = render({
      Thing: {
        type: 'object',
        required: ['count', 'ratio', 'tags', 'kind', 'note', 'either', 'from'],
        properties: {
          count: { type: 'integer' },
          ratio: { type: 'number' },
          tags: { type: 'array', items: { type: 'string' } },
          kind: { enum: ['a', 'b'], type: 'string' },
          note: { type: ['string', 'null'] },
          either: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
          from: { type: 'string', format: 'date-time' },
          extra: { type: 'object', additionalProperties: { type: 'boolean' } },
        },
      },
    });
    expect(out).toContain(
      [
        '@dataclass',
        'class Thing:',
        '    """`Thing` in the OpenAPI document."""',
        '    count: int',
        '    ratio: float',
        '    tags: List[str]',
        '    kind: Literal["a", "b"]',
        '    note: Optional[str]',
        '    either: Optional[int]',
        '    from_: str',
        '    extra: Optional[Dict[str, bool]] = None',
      ].join('\n'),
    );
  });

  it('makes request bodies and query parameters TypedDicts with their required keys', () => {
    const out = render(
      { CreateDto: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, size: { type: 'integer' } } } },
      {
        '/things': {
          post: { operationId: 'ThingsController_create', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateDto' } } } } },
          get: { operationId: 'ThingsController_list', parameters: [{ name: 'from', in: 'query', schema: { type: 'string' } }] },
        },
      },
    );
    expect(out).toContain('class _CreateDtoRequired(TypedDict):\n    name: str\n\n\nclass CreateDto(_CreateDtoRequired, total=False):');
    expect(out).toContain('    size: int');
    expect(out).toContain('class ThingsListQuery(TypedDict, total=False):\n    """Query parameters of `ThingsController_list`."""\n    from_: str');
    expect(out).not.toContain('@dataclass\nclass CreateDto');
  });
});

describe('renderSyncClient', () => {
  it('removes async and await, and the Async prefix of names', () => {
    const source = [
      '"""The asyncio source."""',
      'import asyncio',
      'from typing import AsyncIterator',
      'class _AsyncCrud(AsyncThing):',
      '    async def list_all(self) -> AsyncIterator[int]:',
      '        async with httpx.AsyncClient() as http:',
      '            await http.aclose()',
      '        await asyncio.sleep(1)',
      '    async def __aenter__(self): ...',
      '',
    ].join('\n');
    expect(renderSyncClient(source).split('\n').slice(5)).toEqual([
      'import time',
      'from typing import Iterator',
      'class _Crud(Thing):',
      '    def list_all(self) -> Iterator[int]:',
      '        with httpx.Client() as http:',
      '            http.close()',
      '        time.sleep(1)',
      '    def __enter__(self): ...',
      '',
    ]);
  });
});
