/**
 * Whether the compiled build (dist/, made by `npm run build`) may run: it is there, and no
 * TypeScript source of src/ (unit tests aside) was changed after it. bin/rollcall.js runs dist/
 * when it may, and the benchmark's phases do too (bench/compiled-phase.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The compiled file whose time stands for the build's: tsc writes every file of one build
 * together, and writes none when the sources do not compile (`noEmitOnError`).
 */
export const COMPILED_ENTRY = 'dist/cli/main.js';

/**
 * Returns undefined when dist/ under `root` is current, else why it is not, in a few words.
 * Stats each source file (about 330: 2–3 ms, more on a busy machine), since an edit changes a
 * file's time and not its folder's.
 */
export function staleBuild(root) {
  let built;
  try {
    built = statSync(join(root, COMPILED_ENTRY)).mtimeMs;
  } catch {
    return 'there is no build in dist/';
  }
  // Entries with their types: on Node 20 the recursive listing of names alone is ~20 times slower.
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    if (statSync(path).mtimeMs > built) return `${relative(root, path).replaceAll('\\', '/')} is newer than the build in dist/`;
  }
  return undefined;
}
