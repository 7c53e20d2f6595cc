/**
 * The Operations pages' and API's query values read into filters (pure): a state, log levels,
 * a kind of plan change, a page number. An unknown name is refused with a sentence listing the
 * known ones.
 */
import { RollcallError } from '../../domain/errors.ts';
import { LOG_LEVELS, OPERATION_STATES, type PlanKind } from '../../presenters/operation-pages.ts';
import { PLAN_KINDS } from '../../presenters/operations-view.ts';
import type { LogLevel, OperationState } from '../../store/store.ts';

/** A state named in a request, or undefined for '' / absent; invalid_input for anything else. */
export function operationStateOf(value: unknown): OperationState | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && (OPERATION_STATES as readonly string[]).includes(value)) return value as OperationState;
  throw new RollcallError('invalid_input', `The state must be one of ${OPERATION_STATES.join(', ')}.`);
}

/** Levels named in a request (`warning` or `warning,error`), or undefined for all; invalid_input for an unknown one. */
export function logLevelsOf(value: unknown): LogLevel[] | undefined {
  if (value === undefined || value === '') return undefined;
  const names = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names) {
    if (!(LOG_LEVELS as readonly string[]).includes(n))
      throw new RollcallError('invalid_input', `The log level must be ${LOG_LEVELS.join(', ')} (or several, comma-separated).`);
  }
  return names.length === 0 ? undefined : (names as LogLevel[]);
}

/** A plan kind named in a request (default: create); invalid_input for an unknown one. */
export function planKindOf(value: unknown): PlanKind {
  if (value === undefined || value === '') return 'create';
  if (typeof value === 'string' && (PLAN_KINDS as readonly string[]).includes(value)) return value as PlanKind;
  throw new RollcallError('invalid_input', `The kind of change must be one of ${PLAN_KINDS.join(', ')}.`);
}

/** A page number from a request: a whole number from 1; anything else is page 1. */
export function pageNumberOf(value: unknown): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}
