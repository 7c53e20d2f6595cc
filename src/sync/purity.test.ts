/**
 * The sync engine's core is pure and synchronous (STYLE.md §5 "Boundaries"): no I/O, no clock,
 * no env, nothing from the store, the roster clients, the emulator or the CLI. Fetch and apply,
 * which do I/O, live beside these files and are not listed here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const PURE_MODULES = ['types.ts', 'values.ts', 'matching.ts', 'plan.ts', 'safety.ts', 'reasons.ts', 'scope.ts', 'barcodes.ts'];
const source = (file: string) => readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');

/** Every module specifier a file imports or re-exports from. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gms)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

describe('the pure core of the sync engine', () => {
  it.each(PURE_MODULES)('%s imports only domain types and other pure sync modules', (file) => {
    const imports = specifiers(source(file));
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports) {
      const ok = spec.startsWith('../domain/') || PURE_MODULES.some((m) => spec === `./${m}`);
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
    expect(specifiers(source('plan.ts'))).toContain('../domain/patron.ts');
    expect(specifiers("import { x } from '../store/db.ts';")).toEqual(['../store/db.ts']);
  });
});
