import type { CheckRunOutput, ExecuteCheckRun } from "../../src/github/check-run-output.js";

/**
 * A check run as one reviewable text for a file snapshot: what GitHub shows (conclusion, title, buttons,
 * summary, details text, annotations) in the order a user meets it.
 */
export function checkRunSnapshot(output: CheckRunOutput): string {
  return [
    `<!-- conclusion: ${output.conclusion} -->`,
    `<!-- title: ${output.title} -->`,
    `<!-- buttons: ${output.actions.map((a) => a.label).join(", ") || "none"} -->`,
    "",
    output.summary,
    "",
    "<!-- ———— details (text) ———— -->",
    "",
    output.text,
    "",
    "<!-- ———— annotations ———— -->",
    "",
    ...output.annotations.map(
      (a) =>
        `- ${a.path}:${a.start_line}${a.end_line !== a.start_line ? `-${a.end_line}` : ""} [${a.annotation_level}] ${a.title}: ${a.message}`,
    ),
    "",
  ].join("\n");
}

/** The `querygate/execute` check run as one reviewable text. */
export function executeCheckRunSnapshot(output: ExecuteCheckRun): string {
  return [
    `<!-- ${output.name} · conclusion: ${output.conclusion} -->`,
    `<!-- title: ${output.title} -->`,
    "",
    output.summary,
    "",
  ].join("\n");
}
