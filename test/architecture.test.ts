/**
 * The design rules of docs/architecture.md, as a test: no import cycle between the files of src/,
 * and every import follows the folder order written in its "## Folder order" section. The order is
 * read from the doc, never written here: reorganise src/, then move the entries there.
 * The checker is test/support/import-graph.ts (its own tests: test/import-graph.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, cycleProblems, layerProblems, parseFolderOrder, unresolvedImports } from './support/import-graph.ts';

const repo = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, repo), 'utf8');

/** Every .ts file under src/ but the unit tests (`*.test.ts`), by its path from the repository. */
function sourceTree(): Map<string, string> {
  const paths = readdirSync(new URL('src/', repo), { recursive: true, encoding: 'utf8' })
    .map((p) => `src/${p.replaceAll('\\', '/')}`)
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts'))
    .sort();
  return new Map(paths.map((p) => [p, read(p)]));
}

const tree = sourceTree();
const graph = buildImportGraph(tree);

/** Fails with one line per problem, so the whole list shows at once. */
function expectNone(problems: string[], what: string): void {
  if (problems.length > 0) expect.fail(`${problems.length} ${what}:\n${problems.join('\n')}`);
}

describe('the architecture of src/ (docs/architecture.md)', () => {
  it('has no import cycle (import type, export … from and import() count)', () => {
    expectNone(cycleProblems(graph), 'import cycle(s); cut one import of each');
  });

  it('imports follow the folder order: nothing imports a higher layer, every file has a place', () => {
    const order = parseFolderOrder(read('docs/architecture.md'));
    expectNone(layerProblems(graph, order, 'src'), 'breach(es) of the folder order in docs/architecture.md');
  });

  it('the scan sees the tree and its imports (guards against a checker that silently finds nothing)', () => {
    expect(tree.size).toBeGreaterThan(50);
    expect([...tree.keys()].filter((p) => p.endsWith('.test.ts'))).toEqual([]);
    const edges = [...graph.values()].flat();
    expect(edges.length).toBeGreaterThan(tree.size);
    expectNone(unresolvedImports(tree), 'relative import(s) the checker cannot resolve');
  });
});
