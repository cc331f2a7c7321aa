import pg from "pg";

export type KeyLockResult<T> = { locked: true; value: T } | { locked: false };

/**
 * Runs `fn` while this process holds a session advisory lock on an execution key, on a connection of
 * its own; returns `{ locked: false }` at once when another session holds it. The lock is what tells a
 * live worker from a dead one: a killed process's connection closes and PostgreSQL drops its locks, so
 * whoever gets the lock knows that no live worker is inside claim → execute → finish → report for the key.
 */
export async function withKeyLock<T>(
  pool: pg.Pool,
  key: string,
  fn: () => Promise<T>,
): Promise<KeyLockResult<T>> {
  if (!/^[0-9a-f]{64}$/.test(key))
    throw new Error(`an execution key is 64 lower-case hex digits, got "${key}"`);
  // Outside the pool: a handler holding a lock must not take a connection the ledger calls need.
  const client = new pg.Client(pool.options);
  // Errors on the idle connection are reported through the failing query instead.
  client.on("error", () => undefined);
  await client.connect();
  try {
    // The first 64 bits of the key (a SHA-256) as the one-bigint form of the lock.
    const { rows } = await client.query<{ locked: boolean }>(
      "select pg_try_advisory_lock(('x' || substr($1, 1, 16))::bit(64)::bigint) as locked",
      [key],
    );
    if (rows[0]?.locked !== true) return { locked: false };
    return { locked: true, value: await fn() };
  } finally {
    // Ending the session releases the lock, even when an explicit unlock would have failed.
    await client.end().catch(() => undefined);
  }
}
