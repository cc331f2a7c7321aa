import type { SourceError } from "./source-error.js";

/** `policies/querygate.yml:14: `require.count` must be a whole number ≥ 1 — got 0`, for terminals and logs. */
export function formatPolicyError(error: SourceError): string {
  return `${error.file}:${error.line}${error.column === undefined ? "" : `:${error.column}`}: ${error.message}`;
}
