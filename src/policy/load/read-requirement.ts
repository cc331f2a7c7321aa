import type { KeyPath } from "../../yaml/key-path.js";
import {
  checkKeys,
  quoted,
  type ReadContext,
  readInteger,
  readMapping,
  report,
} from "../../yaml/read-context.js";
import type { Requirement } from "../policy-types.js";
import { readPrincipals } from "./read-principals.js";

const REQUIREMENT_KEYS = ["count", "from"] as const;

/** `{ count, from }`: how many approvals, from whom. Both are required: a requirement is never implied. */
export function readRequirement(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): Requirement | null {
  const map = readMapping(ctx, { value, path, expected: '`{ count: N, from: ["@org/team", "login"] }`' });
  if (!map) return null;
  let ok = checkKeys(ctx, { map, path, known: REQUIREMENT_KEYS });
  const countPath = [...path, "count"];
  const fromPath = [...path, "from"];
  if (map.count === undefined) {
    report(ctx, path, `${quoted(path)} needs \`count\`: how many approvals (e.g. \`count: 1\`)`);
    ok = false;
  }
  if (map.from === undefined) {
    report(ctx, path, `${quoted(path)} needs \`from\`: who may approve (users or @org/team slugs)`);
    ok = false;
  }
  if (!ok) return null;
  const count = readInteger(ctx, { value: map.count, path: countPath, min: 1 });
  if (Array.isArray(map.from) && map.from.length === 0) {
    report(
      ctx,
      fromPath,
      `${quoted(fromPath)} is empty: a requirement nobody can meet — name who may approve`,
    );
    return null;
  }
  const from = readPrincipals(ctx, { value: map.from, path: fromPath });
  if (count === null || from === null) return null;
  // Teams' sizes are only known when approvals are counted; a list of users alone can be checked now.
  if (from.every((p) => p.kind === "user")) {
    const people = new Set(from.map((p) => (p.kind === "user" ? p.login.toLowerCase() : ""))).size;
    if (count > people) {
      report(
        ctx,
        countPath,
        `${quoted(countPath)} needs ${count} approvals but \`from\` lists only ${people} ${people === 1 ? "person" : "people"}: lower the count or add people or a team`,
      );
      return null;
    }
  }
  return { count, from };
}
