/**
 * Every command of the scripting contract (SPEC §8, docs/cli.md) as commander definitions.
 * Only commander is loaded here: each action's module (and with it the store, the HTTP client,
 * …) is imported when that command runs, so `rollcall --help` starts fast.
 */
import { TEXT_LIMITS } from '../domain/text-limits.ts';
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { SOURCE_COMMANDS, SOURCE_NAMES, type SourceKind } from '../sources/kinds.ts';
import type { Handler } from './context.ts';
import type { Output } from './output.ts';

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
    // Not commander's .version(): its flag takes `--version` out of every subcommand's arguments,
    // and `oneroster configure --version 1.2` needs it. With a value it is an option like any
    // other (the action reads it); alone it prints the version, as .version() did.
    .option('-V, --version [version]', 'print the version (`oneroster configure` takes --version 1.1|1.2)')
    .on('option:version', (value: unknown) => {
      if (typeof value === 'string') return;
      out.stdout.write(`${packageVersion()}\n`);
      throw new CommanderError(0, 'commander.version', packageVersion());
    })
    .option('--library <code>', 'the library to work on', 'default')
    .option('--verbose', 'on failure, print the stack trace too')
    .showSuggestionAfterError()
    .helpCommand(true);
  if (after) program.addHelpText('after', `\n${after}`);

  // Commander calls actions with (...positional, options, command).
  const act =
    (load: () => Promise<Handler>) =>
    async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      // A variadic argument (`<field...>`) arrives as one array: its values are positional too.
      const positional = params.slice(0, -2).flatMap((p) => (Array.isArray(p) ? p.map(String) : [String(p)]));
      await dispatch(load, positional, command.optsWithGlobals());
    };
  const sites = () => import('./actions/sites.ts');
  const patrons = () => import('./actions/patrons.ts');
  const operations = () => import('./actions/operations.ts');

  const siteCmd = program.command('sites').description('library sites (one per school library)');
  siteCmd
    .command('add')
    .description('add a site')
    .requiredOption('--code <code>', 'short unique code, e.g. MHS')
    .requiredOption('--name <name>', `display name (up to ${TEXT_LIMITS.siteName} characters)`)
    .option('--json', 'print the site as JSON')
    .action(act(async () => (await sites()).add));
  siteCmd
    .command('delete')
    .description('delete a site no patron uses and no integration has matched')
    .requiredOption('--code <code>', 'the site to delete')
    .option('--json', 'print the deleted site as JSON')
    .action(act(async () => (await sites()).remove));
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
    .description("print the patrons (CSV headed by field numbers, a JSON array, or Koha's patron import CSV)")
    .addOption(
      new Option('--format <format>', 'output format (koha: Koha borrowers columns, see `rollcall koha codes`)')
        .choices(['csv', 'json', 'koha'])
        .default('csv'),
    )
    .option('--site <code>', "only this site's patrons")
    .option('--status <n>', 'only patrons with this Status (1 Active, 4 Transferred, …)')
    .option('--policy <name>', 'only patrons with this Policy')
    .option(
      '--changed-since <cursor|date>',
      "only patrons changed after a change cursor, or on or after a day (YYYY-MM-DD, the library's time zone)",
    )
    .action(act(async () => (await patrons()).exportAll));
  patronCmd
    .command('remove')
    .description('end of year: delete the patrons a rule selects (default: Transferred), archived first, as one operation')
    .option('--status <n>', 'Status number of the patrons to remove (default 4, Transferred)')
    .option('--site <code>', "only this site's patrons")
    .option('--policy <name>', 'only patrons with this Policy')
    .option('--transferred-before <date>', 'only patrons in that Status since before this day (YYYY-MM-DD)')
    .option('--older-than-days <n>', 'only patrons in that Status for more than N days')
    .option('--not-synced-since <date>', 'only patrons no sync has written since this day (YYYY-MM-DD)')
    .option('--include-active', 'allow a rule that removes Active patrons (--status 1)')
    .option('--archive <file>', 'write the archive (a CSV `patrons import` reads) here first; if it cannot be written, nothing is removed')
    .option('--dry-run', 'count and list who would be removed; remove nothing')
    .option('--yes', 'remove without asking (needed in a pipe)')
    .option('--json', 'print {"operation", "removed", "archive"}')
    .action(act(async () => (await patrons()).remove));
  patronCmd
    .command('delete')
    .description('delete one patron (journaled; their sign-in sessions end, conflicts naming them close)')
    .option('--guid <guid>', 'the patron with this GUID')
    .option('--barcode <barcode>', 'the patron with this Barcode')
    .option('--yes', 'delete without asking (needed in a pipe)')
    .action(act(async () => (await patrons()).deleteOne));
  patronCmd
    .command('history')
    .description('every change journaled for one patron, newest first: field, before, after, and which sync or who')
    .option('--guid <guid>', 'the patron with this GUID')
    .option('--barcode <barcode>', 'the patron with this Barcode')
    .option('--json', 'print the changes as a JSON array')
    .action(act(async () => (await patrons()).history));
  patronCmd
    .command('lock')
    .description('lock fields of one patron: no sync writes them (a preferred name, a hand-fixed phone); the plan says what it kept')
    .argument('<field...>', 'a JSON key of the export (firstName) or a field number (1007)')
    .option('--guid <guid>', 'the patron with this GUID')
    .option('--barcode <barcode>', 'the patron with this Barcode')
    .option('--json', 'print the outcome as JSON')
    .action(act(async () => (await patrons()).lock));
  patronCmd
    .command('unlock')
    .description('unlock fields of one patron: the next sync writes them again')
    .argument('<field...>', 'a JSON key of the export (firstName) or a field number (1007)')
    .option('--guid <guid>', 'the patron with this GUID')
    .option('--barcode <barcode>', 'the patron with this Barcode')
    .option('--json', 'print the outcome as JSON')
    .action(act(async () => (await patrons()).unlock));
  patronCmd
    .command('locks')
    .description("every locked field of the library's patrons")
    .option('--json', 'print the locks as a JSON array')
    .action(act(async () => (await patrons()).locks));

  const kohaCmd = program.command('koha').description("Koha, the library system: the Koha codes of the library's sites and policies");
  kohaCmd
    .command('codes')
    .description('show or set the Koha library (branchcode) of each site and the Koha patron category (categorycode) of each policy')
    .option('--site <SITE=BRANCHCODE>', "a site's Koha library code ('SITE=' clears it); repeatable", collect, [])
    .option('--policy <POLICY=CATEGORYCODE>', "a policy's Koha patron category code ('POLICY=' clears it); repeatable", collect, [])
    .option('--json', 'print the codes as JSON')
    .action(act(async () => (await import('./actions/koha.ts')).codes));

  const classlink = () => import('./actions/classlink.ts');
  const cl = program.command('classlink').description('the ClassLink integration');
  const clShared = sourceCommands(cl, 'classlink', act, classlink);
  cl.command('configure')
    .description('connect to the district roster (validated before it is saved)')
    .option('--tenant-id <id>', 'partner mode: the district ClassLink Tenant ID (needs ROLLCALL_CLASSLINK_PARTNER_KEY)')
    .option('--roster-url <url>', 'direct or proxy mode: the server base, ending before /ims/oneroster/v1p1')
    .option('--client-id <key>', 'direct mode: OAuth 1.0a key')
    .option('--client-secret <secret>', 'direct mode: OAuth 1.0a secret (stored encrypted, never shown)')
    .option('--bearer <token>', 'proxy mode: the access token (stored encrypted, never shown)')
    .option('--json', 'print the saved connection as JSON')
    .action(act(async () => (await classlink()).configure));
  clShared('schools', 'match-site', 'unmatch-site', 'options');
  cl.command('sso')
    .description('show or change sign-in with ClassLink (no option: show, with the redirect URI to register)')
    .option('--on', 'allow log-in with ClassLink')
    .option('--off', 'do not allow log-in with ClassLink')
    .option('--tenant-id <n>', "the district's Tenant ID for sign-in when the connection has none (none: clear)")
    .option('--client-id <id>', "the library's own ClassLink OAuth2 client id ('' to use the server's)")
    .option('--client-secret-stdin', "read the library's own client secret from standard input (stored encrypted)")
    .option('--json', 'print JSON')
    .action(act(async () => (await import('./actions/classlink-sso.ts')).sso));
  clShared('enable', 'disable');

  const oneroster = () => import('./actions/oneroster.ts');
  const or = program.command('oneroster').description('a OneRoster REST server (1.1 or 1.2) other than ClassLink');
  or.command('configure')
    .description('connect to the OneRoster server (validated before it is saved)')
    .option('--base-url <url>', 'the server base, ending before /ims/oneroster/v1p1 (1.1) or /ims/oneroster/rostering/v1p2 (1.2)')
    .option('--version <version>', 'the OneRoster version the server speaks: 1.1 or 1.2')
    .option('--client-id <id>', 'the client id (OAuth 2) or consumer key (OAuth 1.0a)')
    .option('--client-secret <secret>', 'the client secret (stored encrypted, never shown)')
    .option('--auth <oauth1|oauth2>', 'default: oauth2 for 1.2 or with --token-url, else oauth1')
    .option('--token-url <url>', 'OAuth 2 token endpoint (default: <base-url>/oauth/token)')
    .option('--scopes <list>', 'OAuth 2 scopes, comma-separated: URIs, or core, roster, demographics (default: core,demographics)')
    .option('--client-auth <basic|post>', 'how the secret goes to the token endpoint: HTTP Basic (default) or in the form')
    .option('--json', 'print the saved connection as JSON')
    .action(act(async () => (await oneroster()).configure));
  sourceCommands(or, 'oneroster', act, oneroster)('schools', 'match-site', 'unmatch-site', 'options', 'enable', 'disable');

  const csv = () => import('./actions/csv.ts');
  const csvCmd = program
    .command('csv')
    .description('OneRoster CSV packages (a .zip or a folder, 1.1 or 1.2), given or dropped in a watched folder');
  csvCmd
    .command('configure')
    .description('show or set where packages come from (no option: show)')
    .option('--watch-dir <dir>', 'the folder `rollcall csv watch` takes packages from (the SFTP drop); "" for none')
    .option('--json', 'print JSON')
    .action(act(async () => (await csv()).configure));
  sourceCommands(csvCmd, 'csv', act, csv)('options', 'schools', 'match-site', 'unmatch-site', 'enable', 'disable');
  csvCmd
    .command('watch')
    .description('sync each new package (.zip) dropped in the watched folder, once; runs until Ctrl+C')
    .option('--once', 'look once, sync what is new, and exit (for cron)')
    .option('--interval <seconds>', 'seconds between looks at the folder', '60')
    .option('--json', 'with --once: print what each package came to as JSON')
    .action(act(async () => (await csv()).watch));

  program
    .command('sync')
    .description('run a sync now: full (default) or delta; --dry-run shows the plan and writes nothing')
    .addOption(new Option('--full', 'everything in scope, with absence-based transfers (default)').conflicts('delta'))
    .addOption(new Option('--delta', 'only changes since the last successful sync'))
    .option(
      '--from-csv <file>',
      'read this OneRoster CSV package (.zip or folder): a bulk package makes a full sync, a delta package a delta',
    )
    .option('--dry-run', 'plan only: nothing is written')
    .option('--json', 'print {"operation", "state", "counts", "complete"}')
    .action(act(async () => (await import('./actions/sync.ts')).sync));

  const ops = program.command('operations').description('syncs, undos and their logs');
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
  ops
    .command('undo')
    .description('undo a sync, an approved plan, an import or an undo: each field it wrote is put back unless changed since (then kept)')
    .argument('<id>', 'operation id')
    .option('--dry-run', 'preview only: what would be put back and what kept; nothing is written')
    .option('--json', 'print {"operation", "state", "reverted", "kept"}')
    .action(act(async () => (await import('./actions/undo.ts')).undo));

  const conflicts = () => import('./actions/conflicts.ts');
  const conflictCmd = program.command('conflicts').description('the conflict queue: roster users that found no single patron');
  conflictCmd
    .command('list')
    .description('list the conflicts not closed, open first, with both sides')
    .option('--all', 'closed ones too')
    .option('--json', 'print JSON')
    .action(act(async () => (await conflicts()).list));
  conflictCmd
    .command('resolve')
    .description('resolve an open conflict; it takes effect on the next sync that reads the user')
    .argument('<id>', 'conflict id')
    .option('--link-barcode <barcode>', 'link the roster user to the patron with this Barcode')
    .option('--create', 'create a new patron for the roster user')
    .option('--ignore', 'ignore the conflict until its data changes')
    .option('--json', 'print JSON')
    .action(act(async () => (await conflicts()).resolve));

  const schedule = () => import('./actions/schedule.ts');
  const scheduleCmd = program
    .command('schedule')
    .description('Daily Operations: a delta sync every day at a local time, a full sync weekly');
  scheduleCmd
    .command('show')
    .description("show the library's Daily Operations and its next runs")
    .option('--json', 'print JSON')
    .action(act(async () => (await schedule()).show));
  scheduleCmd
    .command('set')
    .description("change the library's Daily Operations")
    .option('--time <HH:MM>', 'local time of the daily run (default 02:00)')
    .option('--full-day <day>', 'weekday of the weekly full sync: sun, mon, tue, wed, thu, fri, sat (default sun)')
    .option('--timezone <tz>', "the library's IANA time zone, e.g. America/New_York")
    .option('--on', 'run Daily Operations')
    .option('--off', 'stop Daily Operations (syncs run only when asked)')
    .option('--json', 'print the schedule as JSON')
    .action(act(async () => (await schedule()).set));

  const defaults = () => import('./actions/defaults.ts');
  const defaultsCmd = program
    .command('defaults')
    .description('what a sync gives the patrons it creates, per role; the Policy names are also the scope of every sync');
  defaultsCmd
    .command('show')
    .description('show the creation defaults and how many existing patrons each Policy matches at the matched sites')
    .option('--json', 'print JSON')
    .action(act(async () => (await defaults()).show));
  defaultsCmd
    .command('set')
    .description("change one role's creation defaults")
    .requiredOption('--role <role>', 'student, teacher or admin')
    .option('--policy <name>', 'Policy 1028 of new patrons; also which existing patrons a sync is responsible for')
    .option('--status <n>', 'Status 1026 of new patrons (1 Active, or the library’s own code; never 4)')
    .option('--barcode <none|sequence>', 'leave Barcode blank, or give the next free number of a sequence')
    .option('--barcode-prefix <p>', 'the sequence’s prefix (no spaces), e.g. S')
    .option('--barcode-next <n>', 'the sequence’s next number (numbers a patron holds are passed over)')
    .option('--barcode-width <w>', 'digits, zero-padded (S + 6 → S000042)')
    .option('--set <field=value>', 'a fixed value for a field no sync maps (Location, Nickname, …); FIELD= clears it', collect, [])
    .option('--json', 'print the defaults as JSON')
    .action(act(async () => (await defaults()).set));

  program
    .command('status')
    .description('every library: last successful sync, sync running or held, open alerts, next run')
    .option('--json', 'print JSON')
    .action(act(async () => (await import('./actions/status.ts')).status));

  const users = () => import('./actions/users.ts');
  const userCmd = program.command('users').description('staff accounts of the web admin');
  userCmd
    .command('add')
    .description('add a staff account (password from --password-stdin or ROLLCALL_NEW_PASSWORD, never an argument)')
    .requiredOption('--username <name>', 'the sign-in name')
    .option('--name <display>', `the name shown on the pages (up to ${TEXT_LIMITS.staffDisplayName} characters)`)
    .addOption(new Option('--role <role>', 'admin or librarian').choices(['admin', 'librarian']).default('admin'))
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--json', 'print the account as JSON')
    .action(act(async () => (await users()).add));
  userCmd
    .command('list')
    .description("list the library's staff accounts")
    .option('--json', 'print JSON')
    .action(act(async () => (await users()).list));

  const libraries = () => import('./actions/libraries.ts');
  const libraryCmd = program
    .command('libraries')
    .description('the libraries (districts) of this deployment; choose one with --library CODE');
  libraryCmd
    .command('add')
    .description('add a library')
    .requiredOption('--code <code>', 'short unique code, used with --library, e.g. maple-sd')
    .requiredOption('--name <name>', 'display name')
    .option('--timezone <tz>', "IANA time zone of its Daily Operations, e.g. America/New_York (default: the server's, shown)")
    .option('--json', 'print the library as JSON')
    .action(act(async () => (await libraries()).add));
  libraryCmd
    .command('list')
    .description('list the libraries')
    .option('--json', 'print JSON')
    .action(act(async () => (await libraries()).list));

  program
    .command('worker')
    .description("run every library's jobs (syncs, Daily Operations) without the web server, until Ctrl+C")
    .action(act(async () => (await import('./actions/worker.ts')).worker));

  program
    .command('serve')
    .description('the web admin and JSON API, until Ctrl+C')
    .option('--port <n>', 'port to listen on (default ROLLCALL_PORT, 3000)')
    .option('--no-worker', 'serve pages only; syncs run in `rollcall worker` processes (PostgreSQL only)')
    .action(act(async () => (await import('./actions/serve.ts')).serve));

  program
    .command('emulator')
    .description('run a ClassLink emulator serving a synthetic district, until Ctrl+C')
    .option('--users <n>', 'students in the district (teachers, staff and parents are added in proportion)', '1000')
    .option('--seed <seed>', 'the same seed and size always give the same district', 'rollcall')
    .option('--port <n>', 'port to listen on (0: a free one)', '0')
    .option('--strict', "send strict OneRoster 1.1 JSON instead of ClassLink's flavour")
    .option('--from-csv <file>', 'serve a OneRoster CSV package (.zip or folder) instead of a generated district')
    .action(act(async () => (await import('./actions/emulator.ts')).emulator));

  program
    .command('demo')
    .description('a generated district, configured, synced and changed, in a database of its own')
    .option('--dir <folder>', 'where the demo keeps its database (emptied first)', './data/demo')
    .option('--students <n>', 'students in the generated district', '2000')
    .option('--no-serve', 'end after the story instead of serving the web admin on the demo database')
    .option('--keep-running', 'with --no-serve: leave the emulator running afterwards and print its credentials')
    .action(act(async () => (await import('./actions/demo.ts')).demo));

  return program;
}

/** The subcommands every source's group has, and the handlers its actions module gives them. */
type SharedCommand = 'schools' | 'match-site' | 'unmatch-site' | 'options' | 'enable' | 'disable';
type SourceActions = Record<'schools' | 'matchSite' | 'unmatchSite' | 'options' | 'enable' | 'disable', Handler>;
type Act = (load: () => Promise<Handler>) => (...params: unknown[]) => Promise<void>;

/** How each source's group words its shared subcommands. */
const SOURCE_COMMAND_WORDS: Readonly<
  Record<
    SourceKind,
    {
      /** The source in `enable`/`disable`. */
      label: string;
      /** `schools`: what it lists, and its package argument (CSV). */
      schools: string;
      schoolsPackage: boolean;
      /** `match-site`: what it matches to, and its `--package` option (CSV). */
      matchSite: string;
      matchPackage: boolean;
      /** `options --roles`: ClassLink speaks OneRoster 1.1 only, so the 1.2 staff roles are not its. */
      roles: string;
      /** `options --sso` (ClassLink sign-in). */
      sso: boolean;
    }
  >
> = {
  classlink: {
    label: 'ClassLink',
    schools: 'list the ClassLink schools and the sites matched to them',
    schoolsPackage: false,
    matchSite: 'match a library site to a ClassLink school',
    matchPackage: false,
    roles: 'roles to sync: student,teacher,admin',
    sso: true,
  },
  oneroster: {
    label: 'OneRoster',
    schools: 'list the OneRoster schools and the sites matched to them',
    schoolsPackage: false,
    matchSite: 'match a library site to a OneRoster school',
    matchPackage: false,
    roles: 'roles to sync: student,teacher,admin (admin: 1.1 administrator and the 1.2 staff roles)',
    sso: false,
  },
  csv: {
    label: 'OneRoster CSV',
    schools: "list a package's schools and the sites matched to them (default: the newest .zip in the watched folder)",
    schoolsPackage: true,
    matchSite: 'match a library site to a school of a package',
    matchPackage: true,
    roles: 'roles to sync: student,teacher,admin (admin: 1.1 administrator and the 1.2 staff roles)',
    sso: false,
  },
};

/**
 * The subcommands every source's group has, defined once: returns a function that adds the
 * ones named, in that order (each group places its own commands around them).
 */
function sourceCommands(group: Command, kind: SourceKind, act: Act, load: () => Promise<SourceActions>) {
  const words = SOURCE_COMMAND_WORDS[kind];
  const command = SOURCE_COMMANDS[kind];
  const add: Record<SharedCommand, () => void> = {
    schools: () => {
      const c = group.command('schools').description(words.schools);
      if (words.schoolsPackage) c.argument('[package]', 'a package (.zip or folder)');
      c.option('--json', 'print JSON').action(act(async () => (await load()).schools));
    },
    'match-site': () => {
      const c = group
        .command('match-site')
        .description(words.matchSite)
        .argument('<site-code>', 'the site')
        .argument('<org-sourced-id>', `the school (see \`rollcall ${command} schools\`)`);
      if (words.matchPackage) c.option('--package <file>', 'the package that lists it (default: the newest .zip in the watched folder)');
      c.action(act(async () => (await load()).matchSite));
    },
    'unmatch-site': () =>
      group
        .command('unmatch-site')
        .description("clear a site's match (its school is then not synced)")
        .argument('<site-code>', 'the site')
        .action(act(async () => (await load()).unmatchSite)),
    options: () => {
      const c = group
        .command('options')
        .description('show or change what is synced and how (no option: show)')
        .option('--roles <list>', words.roles)
        .option(
          '--map <field=source>',
          'barcode=…|community-id=…  (none|identifier|username|userid:TYPE); location=none|homeroom-code|homeroom-location|homeroom-teacher',
          collect,
          [],
        );
      if (words.sso) c.option('--sso <on|off>', 'allow log-in with ClassLink');
      c.option(
        '--max-transfer-pct <n>',
        `stop for review when more than N% of the Active patrons synced from ${SOURCE_NAMES[kind]} would be transferred (default 10)`,
      )
        .option('--max-update-pct <n>', 'stop for review when more than N% of in-scope patrons would be updated (default 50)')
        .option('--json', 'print the options as JSON')
        .action(act(async () => (await load()).options));
    },
    enable: () =>
      group
        .command('enable')
        .description(`turn ${words.label} on (turns the other integrations off and clears their identifiers)`)
        .option('--yes', 'go ahead even when identifiers of another integration would be cleared')
        .option('--previewed <n>', 'with --yes: the count `enable` showed; refused (nothing changed) if it has changed since')
        .action(act(async () => (await load()).enable)),
    disable: () =>
      group
        .command('disable')
        .description(`turn ${words.label} off (patrons and matches are kept)`)
        .action(act(async () => (await load()).disable)),
  };
  return (...names: SharedCommand[]) => {
    for (const name of names) add[name]();
  };
}

/** The version in package.json (read at start: there is no build step to stamp it in). */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
