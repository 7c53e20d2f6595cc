/**
 * The benchmark's phases run what users run: the compiled build. When dist/ is current
 * (bin/build-state.js, the rule bin/rollcall.js follows), bench/phase.ts and the bench modules
 * it imports are transpiled to JavaScript (types dropped, `.ts` imports made `.js`) into
 * test-output/bench-js-<pid>/bench/ (one per run, removed at its exit), beside a `src` link to dist/: the phase's `../src/…` imports then
 * load the compiled build, and no tsx is loaded in the process whose memory is measured.
 * Without a current build the phases run through tsx as before, and run.ts says so.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { staleBuild } from '../bin/build-state.js';

/** The bench modules a phase process loads (phase.ts imports csv-package.ts). */
const PHASE_MODULES = ['phase.ts', 'csv-package.ts'];

/** Either the compiled phase script to run with node, or why the phases run through tsx. */
export type PhaseEntry = { script: string } | { stale: string };

/** Prepares the compiled phase under `root` (the repository) when dist/ is current. */
export function compiledPhase(root: string): PhaseEntry {
  const stale = staleBuild(root);
  if (stale !== undefined) return { stale };
  const out = join(root, `test-output/bench-js-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'bench'), { recursive: true });
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  symlinkSync(join(root, 'dist'), join(out, 'src'), 'dir');
  for (const file of PHASE_MODULES) {
    const source = readFileSync(join(root, 'bench', file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        rewriteRelativeImportExtensions: true,
        verbatimModuleSyntax: true,
      },
    });
    writeFileSync(join(out, 'bench', file.replace(/\.ts$/, '.js')), outputText);
  }
  const script = join(out, 'bench/phase.js');
  if (!existsSync(script)) throw new Error(`transpiling bench/phase.ts wrote no ${script}`);
  return { script };
}
