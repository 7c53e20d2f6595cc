/**
 * The checker behind test/architecture.test.ts, on small trees held in memory: what counts as an
 * import, how specifiers resolve, which cycles are found, and how the folder order is read and applied.
 */
import { describe, expect, it } from 'vitest';
import {
  buildImportGraph,
  cycleProblems,
  type FolderOrder,
  findCycles,
  importSpecifiers,
  layerOf,
  layerProblems,
  parseFolderOrder,
  resolveSpecifier,
  stronglyConnected,
  unresolvedImports,
} from './support/import-graph.ts';

const tree = (files: Record<string, string>) => new Map(Object.entries(files));
const cyclesOf = (files: Record<string, string>) => cycleProblems(buildImportGraph(tree(files)));
const layersOf = (files: Record<string, string>, order: FolderOrder) => layerProblems(buildImportGraph(tree(files)), order, 'src');
const order = (...layers: string[]): FolderOrder => parseFolderOrder(`## Folder order\n\n\`\`\`layers\n${layers.join('\n')}\n\`\`\`\n`);

describe('what counts as an import', () => {
  it('sees every form: import, import type, export from, export type from, dynamic import, import() in a type', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "import './side-effect.ts';",
      "export { c } from './c.ts';",
      "export type { D } from './d.ts';",
      "export * from './e.ts';",
      "const f = await import('./f.ts');",
      "let g: import('./g.ts').G;",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual([
      './a.ts',
      './b.ts',
      './side-effect.ts',
      './c.ts',
      './d.ts',
      './e.ts',
      './f.ts',
      './g.ts',
      'node:fs',
    ]);
  });

  it('ignores text that only looks like an import (strings, comments)', () => {
    const text = "// import { x } from './x.ts';\nconst s = \"import { y } from './y.ts'\";\n/* export * from './z.ts' */";
    expect(importSpecifiers(text)).toEqual([]);
  });

  it('resolves ./x.ts, ../y/z.ts, ./x.js, ./x and ./dir (→ dir/index.ts); not packages', () => {
    const files = new Set(['src/a/x.ts', 'src/y/z.ts', 'src/a/dir/index.ts']);
    expect(resolveSpecifier('src/a/m.ts', './x.ts', files)).toBe('src/a/x.ts');
    expect(resolveSpecifier('src/a/m.ts', '../y/z.ts', files)).toBe('src/y/z.ts');
    expect(resolveSpecifier('src/a/m.ts', './x.js', files)).toBe('src/a/x.ts');
    expect(resolveSpecifier('src/a/m.ts', './x', files)).toBe('src/a/x.ts');
    expect(resolveSpecifier('src/a/m.ts', './dir', files)).toBe('src/a/dir/index.ts');
    expect(resolveSpecifier('src/a/m.ts', './dir/', files)).toBe('src/a/dir/index.ts');
    expect(resolveSpecifier('src/y/z.ts', '../a/dir/index.ts', files)).toBe('src/a/dir/index.ts');
    expect(resolveSpecifier('src/a/m.ts', 'zod', files)).toBeUndefined();
    expect(resolveSpecifier('src/a/m.ts', 'node:fs', files)).toBeUndefined();
    expect(resolveSpecifier('src/a/m.ts', './missing.ts', files)).toBeUndefined();
  });

  it('lists relative imports of code that resolve to no file, not packages or assets', () => {
    const files = {
      'src/a.ts':
        "import './b.ts';\nimport './gone.ts';\nimport './dir';\nimport 'zod';\nimport data from './data.json';\nimport './c.js';",
      'src/b.ts': '',
      'src/c.ts': '',
    };
    expect(unresolvedImports(tree(files))).toEqual([
      "unresolved import: src/a.ts imports './dir', which names no file the checker sees",
      "unresolved import: src/a.ts imports './gone.ts', which names no file the checker sees",
    ]);
  });

  it('records one edge per imported file', () => {
    const graph = buildImportGraph(tree({ 'src/a.ts': "import { x } from './b.ts';\nimport type { Y } from './b.ts';", 'src/b.ts': '' }));
    expect(graph.get('src/a.ts')).toEqual([{ from: 'src/a.ts', to: 'src/b.ts', specifier: './b.ts' }]);
    expect(graph.get('src/b.ts')).toEqual([]);
  });
});

describe('import cycles', () => {
  it('finds a 2-file cycle', () => {
    expect(cyclesOf({ 'src/a.ts': "import { b } from './b.ts';", 'src/b.ts': "import { a } from './a.ts';" })).toEqual([
      'import cycle: src/a.ts -> src/b.ts -> src/a.ts',
    ]);
  });

  it('finds a cycle made only of type imports', () => {
    expect(cyclesOf({ 'src/a.ts': "import type { B } from './b.ts';", 'src/b.ts': "import type { A } from './a.ts';" })).toEqual([
      'import cycle: src/a.ts -> src/b.ts -> src/a.ts',
    ]);
  });

  it('finds a cycle closed by a dynamic import', () => {
    const files = {
      'src/x/a.ts': "import { b } from '../y/b.ts';",
      'src/y/b.ts': "export const b = async () => (await import('../x/a.ts')).a;",
    };
    expect(cyclesOf(files)).toEqual(['import cycle: src/x/a.ts -> src/y/b.ts -> src/x/a.ts']);
  });

  it('finds a cycle through export … from and export type … from', () => {
    const files = {
      'src/index.ts': "export { a } from './a.ts';",
      'src/a.ts': "export type { I } from './dir';",
      'src/dir/index.ts': "export * from '../index.ts';",
    };
    expect(cyclesOf(files)).toEqual(['import cycle: src/a.ts -> src/dir/index.ts -> src/index.ts -> src/a.ts']);
  });

  it('finds a file that imports itself', () => {
    expect(cyclesOf({ 'src/a.ts': "import { x } from './a.ts';" })).toEqual(['import cycle: src/a.ts -> src/a.ts']);
  });

  it('reports nothing for a tree without cycles, diamonds included', () => {
    const files = {
      'src/top.ts': "import './left.ts';\nimport './right.ts';",
      'src/left.ts': "import './bottom.ts';",
      'src/right.ts': "import './bottom.ts';",
      'src/bottom.ts': "import 'node:fs';",
    };
    expect(cyclesOf(files)).toEqual([]);
  });

  it('groups the files of a cycle into one component and names a short path through each file', () => {
    // hub <-> a, hub <-> b, and a long way round c -> d -> e -> c
    const files = {
      'src/hub.ts': "import './a.ts';\nimport './b.ts';",
      'src/a.ts': "import type { H } from './hub.ts';",
      'src/b.ts': "import type { H } from './hub.ts';\nimport './a.ts';",
      'src/c.ts': "import './d.ts';",
      'src/d.ts': "import './e.ts';",
      'src/e.ts': "import './c.ts';",
      'src/alone.ts': "import './hub.ts';",
    };
    const graph = buildImportGraph(tree(files));
    expect(stronglyConnected(graph).filter((c) => c.length > 1)).toEqual([
      ['src/a.ts', 'src/b.ts', 'src/hub.ts'],
      ['src/c.ts', 'src/d.ts', 'src/e.ts'],
    ]);
    expect(findCycles(graph)).toEqual([
      ['src/a.ts', 'src/hub.ts', 'src/a.ts'],
      ['src/b.ts', 'src/hub.ts', 'src/b.ts'],
      ['src/c.ts', 'src/d.ts', 'src/e.ts', 'src/c.ts'],
    ]);
  });

  it('handles a long chain without running out of stack', () => {
    const n = 50_000;
    const file = (i: number) => `src/f${i}.ts`;
    const graph = new Map(Array.from({ length: n }, (_, i) => [file(i), [{ from: file(i), to: file((i + 1) % n), specifier: '' }]]));
    const cycles = findCycles(graph);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n + 1);
    expect(cycles[0]![0]).toBe('src/f0.ts');
  });
});

describe('the folder order', () => {
  it('reads the layers block of the "## Folder order" section, lowest first', () => {
    const markdown = [
      '# Architecture',
      '',
      '```layers',
      'not this one',
      '```',
      '',
      '## Folder order',
      '',
      'Some words.',
      '',
      '```layers',
      'domain   # the lowest',
      '',
      'src/store/ sync/core',
      'sync app.ts',
      '! sync -/-> store',
      '```',
      '',
      '## Next',
      '```layers',
      'nor this one',
      '```',
    ].join('\n');
    expect(parseFolderOrder(markdown)).toEqual({
      layers: [['domain'], ['store', 'sync/core'], ['sync', 'app.ts']],
      forbidden: [{ from: 'sync', to: 'store' }],
    });
  });

  it('refuses a missing section, a missing block, an empty block and an entry named twice', () => {
    expect(() => parseFolderOrder('# Architecture\n')).toThrow('no "## Folder order" section');
    expect(() => parseFolderOrder('## Folder order\n\n```\ndomain\n```\n')).toThrow('no ```layers block');
    expect(() => parseFolderOrder('## Folder order\n\n```layers\n\n```\n')).toThrow('empty');
    expect(() => parseFolderOrder('## Folder order\n\n```layers\ndomain\nsync domain\n```\n')).toThrow('names domain twice');
    expect(() => parseFolderOrder('## Folder order\n\n```layers\n! sync store\n```\n')).toThrow('cannot read the rule');
  });

  it('the most specific entry wins', () => {
    const layers = order('domain', 'sync/core', 'store', 'sync');
    expect(layerOf('sync/core/plan.ts', layers)).toEqual({ entry: 'sync/core', layer: 1 });
    expect(layerOf('sync/run.ts', layers)).toEqual({ entry: 'sync', layer: 3 });
    expect(layerOf('sync-extra/x.ts', layers)).toBeUndefined(); // a folder name is not a prefix of another's
    const files = {
      'src/domain/a.ts': '',
      'src/store/db.ts': "import '../domain/a.ts';",
      'src/sync/run.ts': "import '../store/db.ts';\nimport './core/plan.ts';",
      'src/sync/core/plan.ts': "import '../../domain/a.ts';",
    };
    expect(layersOf(files, layers)).toEqual([]);
    const upward = { ...files, 'src/sync/core/plan.ts': "import '../../store/db.ts';" };
    expect(layersOf(upward, layers)).toEqual([
      'upward import: src/sync/core/plan.ts (layer sync/core) imports src/store/db.ts (layer store)',
    ]);
  });

  it('reports an upward import, one line each', () => {
    const files = {
      'src/sync/run.ts': "import { sources } from '../integrations/sources.ts';",
      'src/integrations/sources.ts': "import type { Run } from '../sync/types.ts';",
      'src/sync/types.ts': '',
    };
    expect(layersOf(files, order('sync', 'integrations'))).toEqual([
      'upward import: src/sync/run.ts (layer sync) imports src/integrations/sources.ts (layer integrations)',
    ]);
  });

  it('allows imports within a layer, both ways, and downward', () => {
    const files = {
      'src/jobs/a.ts': "import '../services/b.ts';\nimport '../domain/d.ts';",
      'src/services/b.ts': "import type { A } from '../jobs/a.ts';",
      'src/domain/d.ts': '',
    };
    expect(layersOf(files, order('domain', 'services jobs'))).toEqual([]);
    // the cycle check still applies on one layer
    expect(cyclesOf(files)).toEqual(['import cycle: src/jobs/a.ts -> src/services/b.ts -> src/jobs/a.ts']);
  });

  it('reports a file no entry covers', () => {
    const files = { 'src/domain/a.ts': '', 'src/newfolder/b.ts': "import '../domain/a.ts';", 'src/main.ts': '' };
    expect(layersOf(files, order('domain'))).toEqual([
      'not in the folder order: src/main.ts (add it, or a folder above it, to the layers block of docs/architecture.md)',
      'not in the folder order: src/newfolder/b.ts (add it, or a folder above it, to the layers block of docs/architecture.md)',
    ]);
  });

  it('reports an entry that names no file (stale after a move)', () => {
    expect(layersOf({ 'src/domain/a.ts': '' }, order('domain', 'sync/core'))).toEqual([
      'stale folder order entry: sync/core names no file under src/ (remove or rename it in docs/architecture.md)',
    ]);
  });

  it('a "-/->" rule forbids what the order would allow', () => {
    const files = { 'src/sources/a.ts': '', 'src/sync/b.ts': "import '../sources/a.ts';" };
    expect(layersOf(files, order('sources', 'sync'))).toEqual([]);
    expect(layersOf(files, order('sources', 'sync', '! sync -/-> sources'))).toEqual([
      'forbidden import: src/sync/b.ts imports src/sources/a.ts (rule: sync -/-> sources)',
    ]);
  });
});
