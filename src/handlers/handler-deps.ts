import type { PgBoss } from "pg-boss";
import type { BlobCache } from "../github/blob-cache.js";
import type { PolicyCache } from "../policy/policy-cache.js";
import type { ExecutionLedger } from "../runner/ledger/execution-ledger.js";
import type { StateStore } from "../store/state-store.js";

/** What every handler needs besides the event; bound once in src/index.ts. */
export interface HandlerDeps {
  store: StateStore;
  policies: PolicyCache;
  /** The clock, passed in so evaluation stays pure and testable. */
  now: () => Date;
  /** Blob contents by SHA, shared by every event of this process. */
  blobs: BlobCache;
  /** The execution ledger and job queue; null in review-only mode. */
  runner: RunnerHandle | null;
  /** The login the app acts as (`<slug>[bot]`), set by the app server; tells its own pull requests apart. */
  appLogin?: () => Promise<string | null>;
  /** Whether ready requests can be started from GitHub (the Run button and `/querygate run`). */
  runnerEnabled: boolean;
}

export interface RunnerHandle {
  ledger: ExecutionLedger;
  boss: PgBoss;
}
