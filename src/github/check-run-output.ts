import type { CheckConclusion } from "../approvals/request-verdict.js";
import type { EXECUTE_CHECK_NAME } from "./limits.js";

/**
 * What the app writes into a check run: the shapes GitHub accepts (src/github/limits.ts bounds them).
 * GitHub's API calls a check run's buttons `actions`; here they are buttons, so that "action" means only a
 * reviewed action (`actions/*.yml`) and a scenario's moves are "steps".
 */
export interface CheckRunButton {
  label: string;
  description: string;
  identifier: string;
}

/** The check run's button that starts execution (labels ≤ 20, descriptions ≤ 40 characters). */
export const RUN_BUTTON: CheckRunButton = {
  label: "Run",
  description: "Execute the approved statements",
  identifier: "run",
};

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface CheckRunOutput {
  conclusion: CheckConclusion;
  /** Buttons on the check run; the Run button only when the request may run. */
  actions: CheckRunButton[];
  title: string;
  summary: string;
  text: string;
  annotations: CheckAnnotation[];
}

export interface ExecuteCheckRun {
  name: typeof EXECUTE_CHECK_NAME;
  title: string;
  summary: string;
  conclusion: "success" | "failure" | "neutral";
}
