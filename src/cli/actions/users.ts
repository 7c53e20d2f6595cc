/**
 * `rollcall users add|list`: staff accounts of the web admin (SPEC §4), for the first admin
 * on a headless server and for scripts. The password never goes on the command line (it would
 * sit in `ps` and shell history): it comes from ROLLCALL_NEW_PASSWORD or, with
 * `--password-stdin`, from the first line of standard input.
 */
import { RollcallError } from '../../domain/errors.ts';
import { hashPassword } from '../../web/auth/passwords.ts';
import { staffJson } from '../../presenters/staff.ts';
import { EXIT_OK } from '../exit.ts';
import { table } from '../../presenters/format.ts';
import type { Handler } from '../context.ts';
import { limitedText } from '../option-values.ts';
import { firstLineOfStdin } from '../stdin.ts';
import { withApp } from './with-app.ts';

/** `users add --username U [--name N] [--role admin|librarian] [--password-stdin] [--json]` */
export const add: Handler = async (ctx, _args, opts) => {
  const role = String(opts.role ?? 'admin');
  if (role !== 'admin' && role !== 'librarian') throw new RollcallError('usage', '--role must be admin or librarian.');
  const username = limitedText('--username', String(opts.username), 'username');
  const displayName = limitedText('--name', typeof opts.name === 'string' ? opts.name : '', 'staffDisplayName');
  const env = ctx.env ?? process.env;
  const password = opts.passwordStdin ? await firstLineOfStdin() : (env.ROLLCALL_NEW_PASSWORD ?? '');
  if (!password) {
    throw new RollcallError(
      'usage',
      'Give the password on standard input with --password-stdin, or in ROLLCALL_NEW_PASSWORD (never as an argument).',
    );
  }
  return withApp(ctx, async (app) => {
    const user = await app.store.staff.create(app.library.id, {
      username,
      displayName,
      role,
      passwordHash: await hashPassword(password),
    });
    if (opts.json) await ctx.out.json(staffJson(user));
    else
      await ctx.out.lines(
        `Added ${user.role} ${user.username} to library ${app.library.code}; sign in at ${app.config.web.publicUrl}/login.`,
      );
    return EXIT_OK;
  });
};

/** `users list [--json]` */
export const list: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const users = (await app.store.staff.list(app.library.id)).map(staffJson);
    if (opts.json) await ctx.out.json(users);
    else if (users.length === 0)
      await ctx.out.lines('No staff accounts yet: add one with `rollcall users add --username NAME --password-stdin`.');
    else
      await ctx.out.lines(
        ...table(
          ['USERNAME', 'NAME', 'ROLE', 'STATE', 'LAST SIGN-IN'],
          users.map((u) => [u.username, u.displayName, u.role, u.disabled ? 'disabled' : 'active', u.lastLoginAt ?? '']),
        ),
      );
    return EXIT_OK;
  });
