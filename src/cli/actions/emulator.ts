/**
 * `rollcall emulator [--users N] [--seed S] [--port N] [--strict] [--from-csv FILE]`: a ClassLink
 * stand-in serving a synthetic district (or a OneRoster CSV package), until Ctrl+C or SIGTERM.
 */
import { runEmulatorCommand } from '../../emulator/command.ts';
import { EXIT_OK } from '../exit.ts';
import { parseWholeNumber } from '../option-values.ts';
import type { Handler } from '../context.ts';
import { untilStopped } from './signals.ts';

/** The generator's largest district (district-layout.ts MAX_STUDENTS). */
const MAX_STUDENTS = 10_000_000;
const MAX_PORT = 65_535;

/** `emulator …` */
export const emulator: Handler = async (ctx, _args, opts) => {
  const students = parseWholeNumber('--users', String(opts.users), 1, MAX_STUDENTS);
  const port = parseWholeNumber('--port', String(opts.port), 0, MAX_PORT);
  const running = await runEmulatorCommand(
    {
      students,
      seed: String(opts.seed),
      port,
      mode: opts.strict ? 'strict' : 'classlink',
      ...(typeof opts.fromCsv === 'string' ? { fromCsv: opts.fromCsv } : {}),
    },
    ctx.out.stdout,
  );
  await untilStopped();
  await running.close();
  ctx.out.note('Emulator stopped.');
  return EXIT_OK;
};
