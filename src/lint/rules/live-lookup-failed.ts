import type { LintRule } from "../lint-rule.js";

/** Longer lists are cut in the message. */
const MAX_LISTED_ERRORS = 3;

export const liveLookupFailed: LintRule = {
  id: "live-lookup-failed",
  level: "error",
  summary: "looking the statement up on the target database failed, so its facts there are unknown",
  check({ live }) {
    if (!live || live.errors.length === 0) return [];
    const listed = live.errors.slice(0, MAX_LISTED_ERRORS);
    if (live.errors.length > MAX_LISTED_ERRORS) listed.push(`${live.errors.length - MAX_LISTED_ERRORS} more`);
    return [
      {
        message: `looking this statement up on the target failed (${listed.join("; ")}), so its tables, triggers and row estimate are unknown and it cannot be treated as safe: fix the connection or the analysis role's privileges and re-run the check`,
      },
    ];
  },
};
