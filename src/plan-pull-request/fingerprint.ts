import { createHash } from "node:crypto";
import type { ExecutionUnit } from "./execution-units.js";

/** Everything an approval is bound to; any change means the approved request is not the one that would run. */
export interface FingerprintInput {
  headSha: string;
  baseRef: string;
  policyFiles: Array<{ path: string; blobSha: string | null }>;
  units: ExecutionUnit[];
}

export interface RunFingerprint {
  digest: string;
  /** Each part's own digest, so a refusal can say what changed. */
  parts: Record<string, string>;
}

/** Pure: the fingerprint of what would run — statement bytes, parameters, targets, classes, each file's parser, policy, head. */
export function runFingerprint(input: FingerprintInput): RunFingerprint {
  const parts: Record<string, string> = {
    "head commit": input.headSha,
    "base branch": input.baseRef,
    policy: digest(
      [...input.policyFiles]
        .sort((a, b) => (a.path < b.path ? -1 : 1))
        .map((f) => `${f.path}@${f.blobSha ?? "?"}`),
    ),
  };
  for (const unit of input.units) {
    parts[`${unit.requestPath}: statements`] = digest(unit.statements.map((s) => [s.index, s.hash]));
    parts[`${unit.requestPath}: parameters`] = digest(unit.statements.map((s) => s.params));
    parts[`${unit.requestPath}: target`] = unit.target;
    parts[`${unit.requestPath}: classes`] = unit.statements.map((s) => s.class).join(",");
    // The grammar this file was analysed with: a target on another PostgreSQL major has its own.
    parts[`${unit.requestPath}: parser`] = unit.parserVersion;
  }
  return { digest: digest(Object.entries(parts).sort()), parts };
}

/** Pure: the parts that differ, in words, for the refusal. */
export function fingerprintChanges(approved: RunFingerprint, current: RunFingerprint): string[] {
  const names = new Set([...Object.keys(approved.parts), ...Object.keys(current.parts)]);
  const changes: string[] = [];
  for (const name of [...names].sort()) {
    const before = approved.parts[name];
    const now = current.parts[name];
    if (before === now) continue;
    if (before === undefined) changes.push(`${name}: new since the approval`);
    else if (now === undefined) changes.push(`${name}: gone since the approval`);
    else changes.push(`${name}: ${short(before)} → ${short(now)}`);
  }
  return changes;
}

function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

function short(value: string): string {
  return /^[0-9a-f]{40,}$/.test(value) ? value.slice(0, 7) : value;
}
