import { createBlobCache } from "../github/blob-cache.js";
import { createPolicyCache } from "../policy/policy-cache.js";
import type { StateStore } from "../store/state-store.js";
import type { HandlerDeps, RunnerHandle } from "./handler-deps.js";

/** The handlers' dependencies for a process: one policy cache, one blob cache, the real clock. */
export async function createHandlerDeps(p: {
  store: StateStore;
  /** The execution ledger and job queue; null runs the app in review-only mode. */
  runner: RunnerHandle | null;
}): Promise<HandlerDeps> {
  return {
    store: p.store,
    policies: createPolicyCache(),
    now: () => new Date(),
    runner: p.runner,
    runnerEnabled: p.runner !== null,
    blobs: createBlobCache(),
  };
}
