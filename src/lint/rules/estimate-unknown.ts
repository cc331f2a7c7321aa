import { isEstimated } from "../../sql/postgres/live/explain-estimate.js";
import type { LintRule } from "../lint-rule.js";

const ESTIMATE_UNKNOWN_FLAG = "estimate_unknown";

export const estimateUnknown: LintRule = {
  id: "estimate-unknown",
  level: "notice",
  summary: "the target gave no row estimate for a statement it should estimate (needs a database connection)",
  check({ statement, live }) {
    // A failed lookup is reported by live-lookup-failed; no connection means no estimate was asked for.
    if (!live || live.errors.length > 0) return [];
    const unknown =
      statement.flags.includes(ESTIMATE_UNKNOWN_FLAG) ||
      (live.estimatedRows === null && isEstimated(statement));
    if (!unknown) return [];
    return [
      {
        message:
          "the target gave no row estimate for this statement, so how many rows it reads or changes is unknown (not small): run EXPLAIN on the target to see the plan, or narrow the statement with a WHERE on an indexed key",
      },
    ];
  },
};
