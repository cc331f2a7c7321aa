import { describe, expect, test } from "vitest";
import { unifiedDiff } from "../../src/simulator/diff/unified-diff.js";

// Expected patches are what `git diff` prints for the same inputs (hunk bodies, headers without context text).
describe("simulator unified diff", () => {
  test("an added and a removed file", () => {
    expect(unifiedDiff(null, "a\nb\n")).toEqual({
      patch: "@@ -0,0 +1,2 @@\n+a\n+b",
      additions: 2,
      deletions: 0,
    });
    expect(unifiedDiff("a\n", null)).toEqual({ patch: "@@ -1 +0,0 @@\n-a", additions: 0, deletions: 1 });
  });

  test("changes far apart make separate hunks with three lines of context", () => {
    const before = `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
    const after = before.replace("line 2\n", "line two\n").replace("line 18\n", "line eighteen\n");
    expect(unifiedDiff(before, after).patch).toBe(
      [
        "@@ -1,5 +1,5 @@",
        " line 1",
        "-line 2",
        "+line two",
        " line 3",
        " line 4",
        " line 5",
        "@@ -15,6 +15,6 @@",
        " line 15",
        " line 16",
        " line 17",
        "-line 18",
        "+line eighteen",
        " line 19",
        " line 20",
      ].join("\n"),
    );
  });

  test("a missing final newline is a change of its own and carries git's marker", () => {
    expect(unifiedDiff("a\nb\n", "a\nb")).toEqual({
      patch: "@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file",
      additions: 1,
      deletions: 1,
    });
  });

  test("identical content has no patch", () => {
    expect(unifiedDiff("same\n", "same\n")).toEqual({ patch: "", additions: 0, deletions: 0 });
  });
});
