import type { CheckConclusion } from "../approvals/request-verdict.js";
import type { EXECUTE_CHECK_NAME } from "./limits.js";

/** What the app writes into a check run: the shapes GitHub accepts (src/github/limits.ts bounds them). */
export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

/** The check run's button that starts execution (labels ≤ 20, descriptions ≤ 40 characters). */
export const RUN_ACTION: CheckRunAction = {
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
  actions: CheckRunAction[];
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
