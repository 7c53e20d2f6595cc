/** The value a promise rejects with; fails the test when it resolves instead. */
export async function caught(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}
