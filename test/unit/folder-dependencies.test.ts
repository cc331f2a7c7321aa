import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = path.resolve("scripts/check-folder-dependencies.mjs");
/** No handler is more than gather → plan → publish (issue 11). */
const MAX_HANDLER_LINES = 60;

function check(srcDir: string) {
  const run = spawnSync(process.execPath, [SCRIPT, srcDir], { encoding: "utf8" });
  return { code: run.status, out: run.stdout + run.stderr };
}

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "querygate-deps-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe("folder dependencies (npm run lint)", () => {
  it("hold for src/", () => {
    const { code, out } = check("src");
    expect(out).toContain("no cycle, no forbidden import");
    expect(code).toBe(0);
  });

  it("fail on a cycle between folders, type-only imports included, naming an import of each step", () => {
    const root = tree({
      "a/one.ts": 'import type { B } from "../b/two.js";\nexport type A = B;\n',
      "b/two.ts": 'import { c } from "../c/three.js";\nexport type B = typeof c;\n',
      "c/three.ts": 'export const c = 1;\nexport type { A } from "../a/one.js";\n',
    });
    const { code, out } = check(root);
    expect(code).toBe(1);
    expect(out).toContain("folder import cycle: a → b → c → a");
    expect(out).toContain("a/one.ts → b/two.js");
    expect(out).toContain("c/three.ts → a/one.js");
  });

  it("fail when the fake GitHub imports the app, or src/github imports the runner", () => {
    const root = tree({
      "simulator/sim.ts": 'import { x } from "../handlers/h.js";\nexport const y = x;\n',
      "handlers/h.ts": "export const x = 1;\n",
      "github/g.ts": 'import { r } from "../runner/r.js";\nexport const g = r;\n',
      "runner/r.ts": "export const r = 1;\n",
    });
    const { code, out } = check(root);
    expect(code).toBe(1);
    expect(out).toContain("src/simulator must not import src/handlers");
    expect(out).toContain("src/github must not import src/runner");
  });

  it(`keeps every handler within ${MAX_HANDLER_LINES} lines`, () => {
    const handlers = readdirSync("src/handlers").filter((f) => f.endsWith(".ts"));
    const long = handlers
      .map((f) => ({
        f,
        lines: readFileSync(path.join("src/handlers", f), "utf8").trimEnd().split("\n").length,
      }))
      .filter((h) => h.lines > MAX_HANDLER_LINES);
    expect(long).toEqual([]);
  });
});
