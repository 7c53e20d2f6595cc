/**
 * Every command of the scripting contract (SPEC §8, docs/cli.md) as commander definitions.
 * Only commander is loaded here: each action's module (and with it the store, the HTTP client,
 * …) is imported when that command runs, so `rollcall --help` starts fast.
 */
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import type { Output } from './output.ts';

/** What every action gets. */
export interface CommandContext {
  /** Where to write. */
  out: Output;
  /** `--library CODE`. */
  library: string;
  /** `--verbose`. */
  verbose: boolean;
  /** The environment to configure from instead of process.env and `.env` (tests), or undefined. */
  env: NodeJS.ProcessEnv | undefined;
}

/** An action: positional arguments and options in, exit code out. */
export type Handler = (ctx: CommandContext, args: string[], opts: Record<string, unknown>) => Promise<number>;

/** How the program runs an action (main.ts supplies it: it sets up the context and the exit code). */
export type Dispatch = (load: () => Promise<Handler>, args: string[], opts: Record<string, unknown>) => Promise<void>;

/**
 * Builds the program; `after` is appended to the top-level help. Commander's exits become
 * CommanderErrors (main maps them to exit codes) and its messages go to `out`.
 */
export function buildProgram(dispatch: Dispatch, out: Output, after: string): Command {
  // Set before any subcommand is added: subcommands copy these settings when created.
  const program = new Command('rollcall')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.stdout.write(s),
      writeErr: (s) => out.stderr.write(s),
      outputError: (s, write) => write(`rollcall: ${s.replace(/^error: /, '')}`),
    })
    .description("Keeps a school library's patrons in step with the district's roster through ClassLink (OneRoster).")
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--library <code>', 'the library to work on', 'default')
    .option('--verbose', 'on failure, print the stack trace too')
    .showSuggestionAfterError()
    .helpCommand(true);
  if (after) program.addHelpText('after', `\n${after}`);

  // Commander calls actions with (...positional, options, command).
  const act = (load: () => Promise<Handler>) =>
    async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const positional = params.slice(0, -2).map((p) => String(p));
      await dispatch(load, positional, command.optsWithGlobals());
    };
  const sites = () => import('./actions/sites.ts');
  const patrons = () => import('./actions/patrons.ts');
  const classlink = () => import('./actions/classlink.ts');
  const operations = () => import('./actions/operations.ts');

  const siteCmd = program.command('sites').description('library sites (one per school library)');
  siteCmd
    .command('add')
    .description('add a site')
    .requiredOption('--code <code>', 'short unique code, e.g. MHS')
    .requiredOption('--name <name>', 'display name')
    .option('--json', 'print the site as JSON')
    .action(act(async () => (await sites()).add));
  siteCmd
    .command('list')
    .description('list the sites and the ClassLink schools they are matched to')
    .option('--json', 'print JSON')
    .action(act(async () => (await sites()).list));

  const patronCmd = program.command('patrons').description("the library's patrons");
  patronCmd
    .command('import')
    .description('import existing patrons from a CSV file whose header row names the fields (1200,1007,… or GUID,First Name,…)')
    .argument('<file>', 'the CSV file')
    .option('--json', 'print the report as JSON')
    .action(act(async () => (await patrons()).importFile));
  patronCmd
    .command('export')
    .description('print every patron (CSV headed by field numbers, or a JSON array)')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--site <code>', "only this site's patrons")
    .action(act(async () => (await patrons()).exportAll));

  const cl = program.command('classlink').description('the ClassLink integration');
  cl.command('configure')
    .description('connect to the district roster (validated before it is saved)')
    .option('--tenant-id <id>', 'partner mode: the district ClassLink Tenant ID (needs ROLLCALL_CLASSLINK_PARTNER_KEY)')
    .option('--roster-url <url>', 'direct or proxy mode: the server base, ending before /ims/oneroster/v1p1')
    .option('--client-id <key>', 'direct mode: OAuth 1.0a key')
    .option('--client-secret <secret>', 'direct mode: OAuth 1.0a secret (stored encrypted, never shown)')
    .option('--bearer <token>', 'proxy mode: the access token (stored encrypted, never shown)')
    .option('--json', 'print the saved connection as JSON')
    .action(act(async () => (await classlink()).configure));
  cl.command('schools')
    .description('list the ClassLink schools and the sites matched to them')
    .option('--json', 'print JSON')
    .action(act(async () => (await classlink()).schools));
  cl.command('match-site')
    .description('match a library site to a ClassLink school')
    .argument('<site-code>', 'the site')
    .argument('<org-sourced-id>', 'the school (see `rollcall classlink schools`)')
    .action(act(async () => (await classlink()).matchSite));
  cl.command('unmatch-site')
    .description("clear a site's match (its school is then not synced)")
    .argument('<site-code>', 'the site')
    .action(act(async () => (await classlink()).unmatchSite));
  cl.command('options')
    .description('show or change what is synced and how (no option: show)')
    .option('--roles <list>', 'roles to sync: student,teacher,admin')
    .option('--map <field=source>', 'barcode=…|community-id=…  (none|identifier|username|userid:TYPE); location=none|homeroom-code|homeroom-location|homeroom-teacher', collect, [])
    .option('--sso <on|off>', 'allow log-in with ClassLink')
    .option('--max-transfer-pct <n>', 'stop for review when more than N% of in-scope patrons would be transferred (default 10)')
    .option('--max-update-pct <n>', 'stop for review when more than N% of in-scope patrons would be updated (default 50)')
    .option('--json', 'print the options as JSON')
    .action(act(async () => (await classlink()).options));
  cl.command('enable')
    .description('turn ClassLink on (syncs may run)')
    .action(act(async () => (await classlink()).enable));
  cl.command('disable')
    .description('turn ClassLink off (patrons and matches are kept)')
    .action(act(async () => (await classlink()).disable));

  program
    .command('sync')
    .description('run a sync now: full (default) or delta; --dry-run shows the plan and writes nothing')
    .addOption(new Option('--full', 'everything in scope, with absence-based transfers (default)').conflicts('delta'))
    .addOption(new Option('--delta', 'only changes since the last successful sync'))
    .option('--dry-run', 'plan only: nothing is written')
    .option('--json', 'print {"operation", "state", "counts", "complete"}')
    .action(act(async () => (await import('./actions/sync.ts')).sync));

  const ops = program.command('operations').description('syncs and their logs');
  ops
    .command('list')
    .description('list operations, newest first')
    .option('--json', 'print JSON')
    .action(act(async () => (await operations()).list));
  ops
    .command('show')
    .description('show one operation (and its plan, when held for review or a dry run)')
    .argument('<id>', 'operation id')
    .option('--json', 'print JSON')
    .action(act(async () => (await operations()).show));
  ops
    .command('log')
    .description("print an operation's log")
    .argument('<id>', 'operation id')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'csv']).default('text'))
    .action(act(async () => (await operations()).log));
  ops
    .command('approve')
    .description('apply a sync held in "needs review"')
    .argument('<id>', 'operation id')
    .option('--json', 'print the result as `sync --json` does')
    .action(act(async () => (await operations()).approve));
  ops
    .command('reject')
    .description('discard a sync held in "needs review" (nothing is written)')
    .argument('<id>', 'operation id')
    .option('--json', 'print the result as `sync --json` does')
    .action(act(async () => (await operations()).reject));

  program
    .command('serve')
    .description('the web admin and JSON API (not available yet)')
    .option('--port <n>', 'port to listen on')
    .action(act(async () => (await import('./actions/serve.ts')).serve));

  program
    .command('emulator')
    .description('run a ClassLink emulator serving a synthetic district, until Ctrl+C')
    .option('--users <n>', 'students in the district (teachers, staff and parents are added in proportion)', '1000')
    .option('--seed <seed>', 'the same seed and size always give the same district', 'rollcall')
    .option('--port <n>', 'port to listen on (0: a free one)', '0')
    .option('--strict', 'send strict OneRoster 1.1 JSON instead of ClassLink\'s flavour')
    .option('--from-csv <file>', 'serve a OneRoster CSV package (.zip or folder) instead of a generated district')
    .action(act(async () => (await import('./actions/emulator.ts')).emulator));

  program
    .command('demo')
    .description('a generated district, configured, synced and changed, in a database of its own')
    .option('--dir <folder>', 'where the demo keeps its database (emptied first)', './data/demo')
    .option('--students <n>', 'students in the generated district', '2000')
    .option('--keep-running', 'leave the emulator running afterwards and print its credentials')
    .action(act(async () => (await import('./actions/demo.ts')).demo));

  return program;
}

/** The version in package.json (read at start: there is no build step to stamp it in). */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
