/** A mistake in how a command was called: exit code 2, with a message that says how to call it. */
export class UsageError extends Error {}

export function parseOrUsage<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}
