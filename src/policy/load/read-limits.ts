import type { KeyPath } from "../../yaml/key-path.js";
import {
  checkKeys,
  describe,
  quoted,
  type ReadContext,
  readInteger,
  readMapping,
  report,
} from "../../yaml/read-context.js";
import type { Limits } from "../policy-types.js";
import { MAX_STATEMENT_TIMEOUT_MS } from "./policy-limits.js";

const LIMIT_KEYS = ["max_affected_rows", "max_result_rows", "statement_timeout"] as const;
const DURATION = /^([0-9]{1,12})(ms|s|m|h)$/;
const HOUR_MS = 3_600_000;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: HOUR_MS };

/** `{ max_affected_rows, max_result_rows, statement_timeout }`, for a target or a rule. */
export function readLimits(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): Limits | null {
  const map = readMapping(ctx, {
    value,
    path,
    expected: "a mapping of `max_affected_rows`, `max_result_rows`, `statement_timeout`",
  });
  if (!map) return null;
  let ok = checkKeys(ctx, { map, path, known: LIMIT_KEYS });
  if (Object.keys(map).length === 0) {
    report(ctx, path, `${quoted(path)} is empty: set ${LIMIT_KEYS.join(", ")} or remove it`);
    return null;
  }
  const limits: Limits = {};
  if (map.max_affected_rows !== undefined) {
    const rows = readInteger(ctx, {
      value: map.max_affected_rows,
      path: [...path, "max_affected_rows"],
      min: 0,
    });
    if (rows === null) ok = false;
    else limits.maxAffectedRows = rows;
  }
  if (map.max_result_rows !== undefined) {
    const rows = readInteger(ctx, { value: map.max_result_rows, path: [...path, "max_result_rows"], min: 0 });
    if (rows === null) ok = false;
    else limits.maxResultRows = rows;
  }
  if (map.statement_timeout !== undefined) {
    const timeoutPath = [...path, "statement_timeout"];
    const ms = parseTimeoutMs(map.statement_timeout);
    if (ms === null) {
      ok = false;
      report(
        ctx,
        timeoutPath,
        `${quoted(timeoutPath)} must be a duration like "500ms", "30s", "2m", "1h" or a number of milliseconds, from 1ms to ${MAX_STATEMENT_TIMEOUT_MS / HOUR_MS}h (0 would turn the timeout off) — got ${describe(map.statement_timeout)}`,
      );
    } else limits.statementTimeoutMs = ms;
  }
  return ok ? limits : null;
}

function parseTimeoutMs(value: unknown): number | null {
  let ms: number | null = null;
  if (typeof value === "number" && Number.isSafeInteger(value)) ms = value;
  else if (typeof value === "string") {
    const match = DURATION.exec(value);
    if (match) ms = Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
  }
  return ms !== null && ms >= 1 && ms <= MAX_STATEMENT_TIMEOUT_MS ? ms : null;
}
