import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEALTH_PATH } from "../../src/app-server.js";

// No Docker engine runs here, so check instead that everything the Dockerfile copies and starts exists.
const root = path.resolve(import.meta.dirname, "../..");
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));

describe("Dockerfile", () => {
  let outDir: string;

  beforeAll(() => {
    outDir = mkdtempSync(path.join(tmpdir(), "querygate-build-"));
    execFileSync(
      process.execPath,
      [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--outDir", outDir],
      {
        cwd: root,
        stdio: "pipe",
      },
    );
  }, 120_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("is multi-stage on node:22-slim and runs as a non-root user with a health check", () => {
    const froms = instructions.filter((l) => l.startsWith("FROM "));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^FROM node:22-slim\b/);
    expect(instructions.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    const user = instructions.filter((l) => l.startsWith("USER ")).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)$/);
    const health = instructions.find((l) => l.startsWith("HEALTHCHECK "));
    expect(health).toContain(HEALTH_PATH);
  });

  it("copies only files that exist in the repository", () => {
    const copies = instructions.filter((l) => l.startsWith("COPY ") && !l.includes("--from="));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const parts = copy.split(/\s+/).slice(1);
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(path.join(root, source)), `${copy}: ${source} is missing`).toBe(true);
      }
    }
  });

  it("starts a file that the build produces", () => {
    const cmd = instructions.filter((l) => l.startsWith("CMD ")).at(-1) ?? "";
    const args = JSON.parse(cmd.slice(4)) as string[];
    expect(args[0]).toBe("node");
    const entry = args[1] ?? "";
    expect(entry.startsWith("dist/")).toBe(true);
    expect(existsSync(path.join(outDir, entry.slice("dist/".length)))).toBe(true);
    expect(instructions).toContain("COPY --from=build /app/dist ./dist");
  });
});
