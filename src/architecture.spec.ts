import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import * as ts from 'typescript';

// The house's import rules (../shared/STYLE.md), checked on every test run: files import in one
// direction, without cycles, and the lower layers never reach into the features above them.
const SRC = __dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** file (relative to src, no extension) -> the src files it imports (type-only imports included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).replace(/\.ts$/, '');
    const imports = ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((ref) => ref.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => normalize(join(dirname(from), name)));
    graph.set(from, imports);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'visiting') found.push(stack.slice(stack.indexOf(next)).concat(next));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('architecture', () => {
  const graph = importGraph();
  const edges = [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to })));

  it('has no import cycles between files', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it.each([
    ['common', ['common', 'config']],
    ['config', ['config']],
    ['attempts', ['attempts', 'common', 'config', 'redis']],
    ['auth', ['auth', 'attempts', 'common', 'config', 'organizations', 'audit', 'database', 'redis', 'bcrypt', 'secrets']],
    ['bcrypt', ['bcrypt', 'config']],
    ['secrets', ['secrets', 'config']],
    // webhooks subscribe to the audit log through its listener seam; nothing below imports them
    ['webhooks', ['webhooks', 'audit', 'common', 'config', 'database', 'auth', 'secrets']],
  ])('%s/ imports nothing above it', (layer, allowed) => {
    const bad = edges.filter(
      ({ from, to }) => from.startsWith(`${layer}/`) && !allowed.some((ok) => to.startsWith(`${ok}/`)),
    );
    expect(bad).toEqual([]);
  });

  it('only the API-key module knows its verification, rate-limit and usage internals', () => {
    const inner = /^api-keys\/(verification|rate-limit|usage)\//;
    const bad = edges.filter(({ from, to }) => inner.test(to) && !from.startsWith('api-keys/') && from !== 'app.module');
    // metrics reads usage totals through UsageService, the one exported usage reader
    expect(bad.filter(({ to }) => to !== 'api-keys/usage/usage.service')).toEqual([]);
  });
});
