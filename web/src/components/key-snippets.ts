import type { Scope } from '../api/types';

export interface Snippet {
  id: 'curl' | 'typescript' | 'python';
  label: string;
  code: string;
}

/** The first resource the key can read, so the example call succeeds as pasted. */
function exampleResource(scopes: readonly Scope[]): string {
  const resource = scopes[0]?.split(':')[0] ?? 'agents';
  return resource;
}

/** Ready-to-paste calls with the key filled in: curl, the TypeScript SDK and the Python SDK. */
export function keySnippets(key: string, origin: string, scopes: readonly Scope[]): Snippet[] {
  const resource = exampleResource(scopes);
  const isMetrics = resource === 'metrics';
  const tsCall = isMetrics ? 'client.metrics.get()' : `client.${resource}.list()`;
  const pyCall = isMetrics ? 'client.metrics.get()' : `client.${resource}.list()`;
  return [
    {
      id: 'curl',
      label: 'curl',
      code: `curl -H "X-API-Key: ${key}" \\\n  ${origin}/api/v1/${resource}`,
    },
    {
      id: 'typescript',
      label: 'TypeScript',
      code: [
        "import { KaizenClient } from '@kaizen-studio/sdk';",
        '',
        `const client = new KaizenClient({ apiKey: '${key}', baseUrl: '${origin}' });`,
        `console.log(await ${tsCall});`,
      ].join('\n'),
    },
    {
      id: 'python',
      label: 'Python',
      code: [
        'from studio import KaizenClient',
        '',
        `client = KaizenClient(api_key="${key}", base_url="${origin}")`,
        `print(${pyCall})`,
      ].join('\n'),
    },
  ];
}
