/**
 * Whether the compiled build (dist/, made by `npm run build`) may run: it is there, and no
 * TypeScript source of src/ (unit tests aside) was changed after it. bin/rollcall.js runs dist/
 * when it may, and the benchmark's phases do too (bench/compiled-phase.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The compiled file whose time stands for the build's: tsc writes every file of one build
 * together, and writes none when the sources do not compile (`noEmitOnError`).
 */
export const COMPILED_ENTRY = 'dist/cli/main.js';

/**
 * Returns undefined when dist/ under `root` is current, else why it is not, in a few words.
 * Stats each source file (about 330: a few milliseconds), since an edit changes a file's time
 * and not its folder's.
 */
export function staleBuild(root) {
  let built;
  try {
    built = statSync(join(root, COMPILED_ENTRY)).mtimeMs;
  } catch {
    return 'there is no build in dist/';
  }
  for (const path of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!path.endsWith('.ts') || path.endsWith('.test.ts')) continue;
    if (statSync(join(root, 'src', path)).mtimeMs > built) return `src/${path.replaceAll('\\', '/')} is newer than the build in dist/`;
  }
  return undefined;
}
