/**
 * The import graph of a source tree, and the two design rules checked on it (test/architecture.test.ts):
 * no import cycle, and imports that follow the folder order written in docs/architecture.md.
 *
 * Pure: the tree comes in as a map of path → text (paths relative to the repository, '/'-separated,
 * e.g. `src/sync/run.ts`), so the unit tests (test/import-graph.test.ts) need no disk.
 */
import { posix } from 'node:path';
import ts from 'typescript';

/** Path → source text of every file in the graph. */
export type SourceTree = ReadonlyMap<string, string>;

/** One import of one file: what it wrote and the file that names. */
export interface ImportEdge {
  from: string;
  to: string;
  specifier: string;
}

/** File → the files it imports (each edge once per target, in first-seen order). */
export type ImportGraph = ReadonlyMap<string, readonly ImportEdge[]>;

/**
 * Every module specifier a file names: `import`, `import type`, `export … from`, `export type … from`,
 * `import('…')` (in code or in a type) and `require('…')`. The TypeScript scanner, not a regex:
 * strings and comments that merely look like imports do not count.
 */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/**
 * The file in `files` a relative specifier of `from` names: `./x.ts`, `./x.js` (→ x.ts), `./x`,
 * `./dir` (→ dir/index.ts). Undefined for packages (`zod`, `node:fs`) and for anything outside `files`.
 */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\/$/, '');
  const candidates = [base, base.replace(/\.(m|c)?js$/, '.$1ts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => files.has(c));
}

/** The graph of the relative imports between the files of `tree`. */
export function buildImportGraph(tree: SourceTree): ImportGraph {
  const files = new Set(tree.keys());
  const graph = new Map<string, ImportEdge[]>();
  for (const [from, text] of tree) {
    const edges: ImportEdge[] = [];
    for (const specifier of importSpecifiers(text)) {
      const to = resolveSpecifier(from, specifier, files);
      if (to !== undefined && !edges.some((e) => e.to === to)) edges.push({ from, to, specifier });
    }
    graph.set(from, edges);
  }
  return graph;
}

/**
 * Relative imports of code that name no file of `tree`: an edge the graph cannot see (a typo the
 * compiler has not been asked about, or a resolution rule this checker lacks). Assets with an
 * extension of their own (`.json`, `.css`, …) are not code and are skipped.
 */
export function unresolvedImports(tree: SourceTree): string[] {
  const files = new Set(tree.keys());
  const problems: string[] = [];
  for (const [from, text] of tree) {
    for (const specifier of importSpecifiers(text)) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      const asset = /\.(?![mc]?[jt]s$)[a-z0-9]+$/i.test(posix.basename(specifier));
      if (relative && !asset && resolveSpecifier(from, specifier, files) === undefined) {
        problems.push(`unresolved import: ${from} imports '${specifier}', which names no file the checker sees`);
      }
    }
  }
  return problems.sort();
}

/** Tarjan's strongly connected components, each sorted, in a stable order. Iterative: no stack depth limit. */
export function stronglyConnected(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!.to;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The shortest path from `start` to `goal` using only files of `within` (breadth first), or undefined. */
function shortestPath(graph: ImportGraph, start: string, goal: string, within: ReadonlySet<string>): string[] | undefined {
  const cameFrom = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    if (node === goal) {
      const path = [node];
      for (let prev = cameFrom.get(node); prev != null; prev = cameFrom.get(prev)) path.push(prev);
      return path.reverse();
    }
    for (const { to } of graph.get(node) ?? []) {
      if (within.has(to) && !cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return undefined;
}

/**
 * Concrete cycles, each as its files with the first repeated at the end (`[a, b, a]`). For every
 * strongly connected component, the shortest cycle through each of its files, until every file
 * of the component lies on a listed cycle. A file importing itself is a cycle too.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  for (const component of stronglyConnected(graph)) {
    const members = new Set(component);
    const covered = new Set<string>();
    for (const file of component) {
      if (covered.has(file)) continue;
      let shortest: string[] | undefined;
      for (const { to } of graph.get(file) ?? []) {
        const back = members.has(to) ? shortestPath(graph, to, file, members) : undefined;
        if (back && (shortest === undefined || back.length + 1 < shortest.length)) shortest = [file, ...back];
      }
      if (shortest === undefined) continue;
      for (const f of shortest) covered.add(f);
      cycles.push(rotateToSmallest(shortest));
    }
  }
  return cycles;
}

/** `[b, c, a, b]` → `[a, b, c, a]`: the same cycle always reads the same way. */
function rotateToSmallest(cycle: readonly string[]): string[] {
  const ring = cycle.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0]!);
  const rotated = [...ring.slice(start), ...ring.slice(0, start)];
  return [...rotated, rotated[0]!];
}

/** One line per cycle: `import cycle: src/a.ts -> src/b.ts -> src/a.ts`. */
export function cycleProblems(graph: ImportGraph): string[] {
  return findCycles(graph).map((cycle) => `import cycle: ${cycle.join(' -> ')}`);
}

/**
 * The folder order: layers lowest first, each a list of entries (a folder or a file under the root,
 * e.g. `sync/core`, `domain`, `app.ts`), and rules `! a -/-> b` (nothing under `a` imports anything
 * under `b`, whatever the layers allow).
 */
export interface FolderOrder {
  layers: string[][];
  forbidden: { from: string; to: string }[];
}

/**
 * Reads the ```layers block of the "## Folder order" section of a markdown text. One layer per
 * line, lowest first, entries separated by spaces; `#` starts a comment; blank lines are skipped.
 * Throws on a missing section or block, and on an entry named twice.
 */
export function parseFolderOrder(markdown: string): FolderOrder {
  const section = /^## Folder order[ \t]*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown)?.[1];
  if (section === undefined) throw new Error('no "## Folder order" section');
  const block = /^```layers[ \t]*\n([\s\S]*?)^```/m.exec(section)?.[1];
  if (block === undefined) throw new Error('the "## Folder order" section has no ```layers block');
  const order: FolderOrder = { layers: [], forbidden: [] };
  const named = new Set<string>();
  for (const raw of block.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    if (line.startsWith('!')) {
      const rule = /^!\s*(\S+)\s+-\/->\s+(\S+)$/.exec(line);
      if (!rule) throw new Error(`cannot read the rule "${line}" (write "! from -/-> to")`);
      order.forbidden.push({ from: cleanEntry(rule[1]!), to: cleanEntry(rule[2]!) });
      continue;
    }
    const layer = line.split(/\s+/).map(cleanEntry);
    for (const entry of layer) {
      if (named.has(entry)) throw new Error(`the folder order names ${entry} twice`);
      named.add(entry);
    }
    order.layers.push(layer);
  }
  if (order.layers.length === 0) throw new Error('the ```layers block is empty');
  return order;
}

/** `src/sync/` → `sync`: entries are relative to the root, without slashes at either end. */
function cleanEntry(entry: string): string {
  return entry
    .replace(/^\.?\//, '')
    .replace(/^src\//, '')
    .replace(/\/+$/, '');
}

/** Whether `rel` (a path under the root) is the entry or under it. */
function under(rel: string, entry: string): boolean {
  return rel === entry || rel.startsWith(`${entry}/`);
}

/** The most specific entry covering a path under the root, with its layer (0 = lowest). */
export function layerOf(rel: string, order: FolderOrder): { entry: string; layer: number } | undefined {
  let best: { entry: string; layer: number } | undefined;
  order.layers.forEach((entries, layer) => {
    for (const entry of entries) {
      if (under(rel, entry) && (best === undefined || entry.length > best.entry.length)) best = { entry, layer };
    }
  });
  return best;
}

/**
 * One line per breach of the folder order: a file no entry covers, an import of a higher layer,
 * an import a `-/->` rule forbids, and an entry that names nothing (stale after a move).
 * `root` is the folder the entries are relative to (`src`).
 */
export function layerProblems(graph: ImportGraph, order: FolderOrder, root: string): string[] {
  const prefix = `${root.replace(/\/+$/, '')}/`;
  const rel = (file: string) => (file.startsWith(prefix) ? file.slice(prefix.length) : file);
  const problems: string[] = [];
  const files = [...graph.keys()].sort();
  for (const file of files) {
    if (layerOf(rel(file), order) === undefined) {
      problems.push(`not in the folder order: ${file} (add it, or a folder above it, to the layers block of docs/architecture.md)`);
    }
  }
  for (const file of files) {
    const own = layerOf(rel(file), order);
    for (const { to } of graph.get(file) ?? []) {
      const theirs = layerOf(rel(to), order);
      if (own !== undefined && theirs !== undefined && theirs.layer > own.layer) {
        problems.push(`upward import: ${file} (layer ${own.entry}) imports ${to} (layer ${theirs.entry})`);
      }
      for (const rule of order.forbidden) {
        if (under(rel(file), rule.from) && under(rel(to), rule.to)) {
          problems.push(`forbidden import: ${file} imports ${to} (rule: ${rule.from} -/-> ${rule.to})`);
        }
      }
    }
  }
  const entries = [...order.layers.flat(), ...order.forbidden.flatMap((r) => [r.from, r.to])];
  for (const entry of [...new Set(entries)]) {
    if (!files.some((f) => f.startsWith(prefix) && under(rel(f), entry))) {
      problems.push(`stale folder order entry: ${entry} names no file under ${prefix} (remove or rename it in docs/architecture.md)`);
    }
  }
  return problems;
}
