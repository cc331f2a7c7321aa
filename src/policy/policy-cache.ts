import { type CompiledPolicy, compilePolicy } from "./evaluate/compile-policy.js";
import { loadPolicy } from "./load/load-policy.js";
import type { Policy, PolicyError } from "./policy-types.js";

/** Compiled policies kept per process, keyed by their files' blob SHAs. */
export const POLICY_CACHE_MAX = 32;

export type LoadedPolicy =
  | { ok: true; policy: Policy; compiled: CompiledPolicy }
  | { ok: false; errors: PolicyError[] };

export interface PolicyCache {
  load(files: Array<{ path: string; content: string; blobSha: string }>): LoadedPolicy;
}

/** Same blobs, same policy: load and compile once, since every webhook would otherwise re-read it. */
export function createPolicyCache(max = POLICY_CACHE_MAX): PolicyCache {
  const entries = new Map<string, LoadedPolicy>();
  return {
    load(files) {
      const key = files.map((f) => `${f.path}\u0000${f.blobSha}`).join("\u0001");
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const result = loadPolicy(files);
      const loaded: LoadedPolicy = result.ok
        ? { ok: true, policy: result.policy, compiled: compilePolicy(result.policy) }
        : { ok: false, errors: result.errors };
      entries.set(key, loaded);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
      return loaded;
    },
  };
}
