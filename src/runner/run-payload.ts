import type { RunTrigger } from "../audit/audit-types.js";
import type { ExecutionUnit } from "../plan-pull-request/execution-units.js";
import type { PolicyTarget } from "../policy/policy-types.js";

/**
 * What the ledger keeps for a worker to run and report one unit, possibly after a restart. It names the
 * environment variables holding connection strings, never the strings.
 */
export interface RunPayload {
  version: 1;
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  htmlUrl: string;
  headSha: string;
  unit: ExecutionUnit;
  target: Pick<PolicyTarget, "name" | "engine" | "environment" | "connection" | "searchPath">;
  policy: { commitSha: string; files: Array<{ path: string; blobSha: string }>; matchedRules: string[] };
  approvals: Array<{ login: string; reviewId: number; commitId: string; teams: string[] }>;
  trigger: RunTrigger;
  triggeredBy: string;
  triggeredAt: string;
}

/** The environment variable holding the connection for a unit of this class: per-class roles when configured. */
export function connectionEnvFor(payload: Pick<RunPayload, "target" | "unit">): string {
  const { connection } = payload.target;
  if (payload.unit.readOnly) return connection.read ?? connection.env;
  if (payload.unit.class === "ddl") return connection.ddl ?? connection.write ?? connection.env;
  return connection.write ?? connection.env;
}

export function isRunPayload(value: unknown): value is RunPayload {
  return typeof value === "object" && value !== null && (value as { version?: unknown }).version === 1;
}
