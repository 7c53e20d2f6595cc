/**
 * The text after `rollcall --help`: the environment variables (from the one list in
 * config/schema.ts, with their defaults and descriptions), the exit codes, and examples.
 */
import { z } from 'zod';
import { ENV_SCHEMA } from '../config/schema.ts';

/** Column at which descriptions start. */
const NAME_WIDTH = 34;

/** The environment section: every variable, its default, and what it is for. */
export function environmentHelp(): string {
  const lines = ['Environment (also read from ./.env; flags win over both):'];
  for (const [name, schema] of Object.entries(ENV_SCHEMA.shape)) {
    const s = schema as z.ZodType;
    const fallback = s instanceof z.ZodDefault ? ` (default: ${String(s.def.defaultValue)})` : '';
    lines.push(`  ${name.padEnd(NAME_WIDTH)}${s.description ?? ''}${fallback}`);
  }
  return lines.join('\n');
}

/** Exit codes and examples. */
export const USAGE_NOTES = `Exit codes:
  0  success
  1  failure (one line on stderr; add --verbose for details)
  2  bad usage or invalid configuration
  3  a sync stopped in "needs review" (approve or reject it)

Examples:
  rollcall demo                                    # a generated district, configured and synced
  rollcall sites add --code MHS --name "Maple High School"
  rollcall patrons import patrons.csv
  rollcall classlink configure --roster-url https://example.oneroster.com --client-id KEY --client-secret SECRET
  rollcall classlink schools
  rollcall classlink match-site MHS ORG_SOURCED_ID
  rollcall classlink enable
  rollcall sync --dry-run
  rollcall sync --json
  rollcall operations log 12 --format csv > sync-12.csv
  rollcall patrons export --format json --site MHS

The full contract (commands, JSON shapes, exit codes): docs/cli.md`;
