import { createBlobCache } from "../github/blob-cache.js";
import { createPolicyCache } from "../policy/policy-cache.js";
import { createPostgresDialect } from "../sql/postgres/postgres-dialect.js";
import type { StateStore } from "../store/state-store.js";
import type { HandlerDeps } from "./handler-deps.js";

/** The handlers' dependencies for a process: one policy cache, one blob cache, the real clock. */
export async function createHandlerDeps(p: {
  store: StateStore;
  runnerEnabled: boolean;
}): Promise<HandlerDeps> {
  return {
    store: p.store,
    dialect: await createPostgresDialect(),
    policies: createPolicyCache(),
    now: () => new Date(),
    runnerEnabled: p.runnerEnabled,
    blobs: createBlobCache(),
  };
}
