/** The value a promise rejects with; fails the test when it resolves instead. */
export async function caught(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

/** The one-line message of the refusal `work` rejects with; fails the test when it resolves instead. */
export async function refusal(work: Promise<unknown>): Promise<string> {
  return ((await caught(work)) as Error).message;
}
