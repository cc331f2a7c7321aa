#!/usr/bin/env node
// Folder-level dependency rules for src/ (Biome's noImportCycles checks files; this checks folders):
//   1. no cycle between the top-level folders of src/ (files directly in src/ form the folder "(root)"),
//      type-only imports included;
//   2. src/simulator/ (the fake GitHub) imports nothing outside itself;
//   3. src/github/ imports nothing from api, submit, handlers, runner or runner-service.
// Usage: node scripts/check-folder-dependencies.mjs [SRC_DIR]   (default: src). Exit 1 on any violation.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const FORBIDDEN = {
  simulator: { only: ["simulator"], why: "the fake GitHub knows nothing of the app" },
  github: {
    not: ["api", "submit", "handlers", "runner", "runner-service"],
    why: "src/github is GitHub I/O only; its errors and limits are its own",
  },
};

const srcDir = path.resolve(process.argv[2] ?? "src");
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^;]*?\sfrom\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith(".d.ts")) yield full;
  }
}

const folderOf = (file) => {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith("..")) return null;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : "(root)";
};

/** folder → folder → first import seen ("file → target") */
const edges = new Map();
for (const file of files(srcDir)) {
  const from = folderOf(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(IMPORT)) {
    const target = path.resolve(path.dirname(file), m[1] ?? m[2]);
    const to = folderOf(target);
    if (to === null || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    const out = edges.get(from);
    if (!out.has(to)) out.set(to, `${path.relative(srcDir, file)} → ${path.relative(srcDir, target)}`);
  }
}

const problems = [];
for (const [folder, rule] of Object.entries(FORBIDDEN)) {
  for (const [to, example] of edges.get(folder) ?? []) {
    const bad = rule.only ? !rule.only.includes(to) : rule.not.includes(to);
    if (bad) problems.push(`src/${folder} must not import src/${to} (${rule.why}): ${example}`);
  }
}

// Cycles: depth-first search, reporting each cycle once by its smallest rotation.
const seen = new Set();
const reported = new Set();
const stack = [];
function visit(node) {
  stack.push(node);
  for (const next of (edges.get(node) ?? new Map()).keys()) {
    const at = stack.indexOf(next);
    if (at >= 0) {
      const cycle = stack.slice(at);
      const start = cycle.indexOf([...cycle].sort()[0]);
      const key = [...cycle.slice(start), ...cycle.slice(0, start)].join(" → ");
      if (!reported.has(key)) {
        reported.add(key);
        const steps = [...cycle, next].slice(0, -1).map((f, i, all) => {
          const to = i + 1 < all.length ? all[i + 1] : next;
          return `    ${edges.get(f).get(to)}`;
        });
        problems.push(`folder import cycle: ${key} → ${cycle[start]}\n${steps.join("\n")}`);
      }
    } else if (!seen.has(next)) visit(next);
  }
  stack.pop();
  seen.add(node);
}
for (const node of [...edges.keys()].sort()) if (!seen.has(node)) visit(node);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`\n${problems.length} folder dependency problem(s) in ${path.relative(process.cwd(), srcDir) || "."}: ` +
    "move the shared piece to the folder both depend on, or pass it in (see docs/design.md, \"Dependencies\").");
  process.exit(1);
}
console.log(`folder dependencies: ${edges.size} folders, no cycle, no forbidden import`);
