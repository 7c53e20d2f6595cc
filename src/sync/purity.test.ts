/**
 * The sync engine's core is pure and synchronous (STYLE.md §5 "Boundaries"): no I/O, no clock,
 * no env, nothing from the store, the roster clients, the emulator or the CLI. Every module
 * under sync/core/ is held to it (a new one too, by being there); fetch, apply and run, which
 * do I/O, live in sync/ beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CORE = new URL('./core/', import.meta.url);
/** Every module of the core but its tests (which import vitest). */
const PURE_MODULES = readdirSync(CORE)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort();
const source = (file: string) => readFileSync(new URL(file, CORE), 'utf8');

/** Every module specifier a file imports or re-exports from. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gms)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  // Imported for its effects only (`import 'node:fs';`): no `from` to find.
  for (const m of text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  return found;
}

describe('the pure core of the sync engine', () => {
  it.each(PURE_MODULES)('%s imports only domain types and other pure sync modules', (file) => {
    const imports = specifiers(source(file));
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports) {
      const ok = spec.startsWith('../../domain/') || PURE_MODULES.some((m) => spec === `./${m}`);
      expect(ok, `${file} imports ${spec}`).toBe(true);
    }
  });

  it.each(PURE_MODULES)('%s reads no clock, environment or randomness', (file) => {
    const text = source(file);
    for (const banned of [/\bDate\.now\b/, /\bnew Date\b/, /\bprocess\./, /\bMath\.random\b/, /\bconsole\./, /\bawait\b/, /\brequire\(/]) {
      expect(banned.test(text), `${file} uses ${banned}`).toBe(false);
    }
  });

  it('the scan sees imports (guards against a regex that silently matches nothing)', () => {
    expect(PURE_MODULES).toEqual(expect.arrayContaining(['plan.ts', 'matching.ts', 'types.ts', 'delta-patrons.ts', 'patron-values.ts']));
    expect(specifiers(source('plan.ts'))).toContain('../../domain/patron.ts');
    expect(specifiers("import { x } from '../store/db.ts';")).toEqual(['../store/db.ts']);
    expect(specifiers("import 'node:fs';")).toEqual(['node:fs']);
  });
});
