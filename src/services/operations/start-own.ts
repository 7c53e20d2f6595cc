/**
 * A person's operation that runs at once in the asking process (an undo, an import, a removal):
 * created `running` in the library's one operation slot, or refused beside whatever holds it.
 * SPEC §3.7 "only one sync runs per library at a time", and these write the same patrons, so
 * they take the same slot. Refused, not waited for: a sync can run for minutes, and the
 * sentence names the operation to wait for ("A sync is running: try after operation 42.").
 */
import { RollcallError } from '../../domain/errors.ts';
import { busyRefusal } from '../../domain/operation.ts';
import type { NewOperation, Operation, OperationRepository } from '../../store/store.ts';

export async function startOwnOperation(
  operations: OperationRepository,
  libraryId: number,
  operation: Omit<NewOperation, 'running'>,
): Promise<Operation> {
  const made = await operations.create(libraryId, { ...operation, running: true });
  if (!made.created) throw new RollcallError('conflict', busyRefusal(made.operation));
  return made.operation;
}
