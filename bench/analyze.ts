/**
 * `npm run bench:analyze`: how fast the analyser is on real SQL, and what full analysis costs over bare
 * parsing of the same input, measured in one run. Prints figures; asserts nothing.
 *
 * Inputs: every statement of PostgreSQL's own regression suite (../shared/corpora/postgres-regress-15)
 * that the grammar accepts, one at a time; the same statements joined into one ~1 MB script; and a
 * stream of 1,000,000 statements to watch memory.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { reviewStatements } from "../src/lint/review-statements.js";
import { DEFAULT_GRAMMAR_MAJOR, loadPostgresGrammar } from "../src/sql/postgres/load-parser.js";
import { createPostgresDialect } from "../src/sql/postgres/postgres-dialect.js";
import { MAX_SQL_SOURCE_BYTES } from "../src/sql/source-text.js";
import { splitPsqlScript } from "../test/support/split-psql-script.js";

const ROUNDS = 7;
const SCRIPT_BYTES = 1_000_000;
const STREAM_STATEMENTS = 1_000_000;
const MEMORY_SAMPLE_EVERY = 100_000;

const corpusDir = path.resolve(
  process.cwd(),
  process.env.QUERYGATE_REGRESS_DIR ?? "../shared/corpora/postgres-regress-15",
);
const grammar = await loadPostgresGrammar(DEFAULT_GRAMMAR_MAJOR);
const dialect = await createPostgresDialect();

const statements: string[] = [];
for (const file of readdirSync(corpusDir)
  .filter((f) => f.endsWith(".sql"))
  .sort()) {
  for (const { sql } of splitPsqlScript(readFileSync(path.join(corpusDir, file), "utf8"))) {
    try {
      if (grammar.parse(sql).stmts.length === 1) statements.push(sql);
    } catch {
      // Statements PostgreSQL rejects are the regress suite's deliberate errors; time valid SQL only.
    }
  }
}
const buffers = statements.map((s) => Buffer.from(s));

function analyzeFully(source: Uint8Array): number {
  const analysis = dialect.analyze(source);
  if (!analysis.ok) throw new Error(`analysis failed: ${analysis.error.message}`);
  return reviewStatements({ statements: analysis.statements, live: null }).length;
}

const gc = (globalThis as { gc?: () => void }).gc;

function once(fn: () => void): number {
  gc?.();
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Times two variants alternately (bare, full, bare, full…), each after a GC, and reports medians: on a
 * shared 2-core machine, drift then hits both sides of the ratio alike.
 */
function compare(bare: () => void, full: () => void): { bare: number; full: number } {
  bare();
  full();
  const b: number[] = [];
  const f: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    b.push(once(bare));
    f.push(once(full));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  const result = { bare: median(b), full: median(f) };
  console.log(
    `  bare parse (grammar only)                 ${result.bare.toFixed(1).padStart(9)} ms (median of ${ROUNDS})`,
  );
  console.log(
    `  full analysis (+ classify, facts, lint)   ${result.full.toFixed(1).padStart(9)} ms (median of ${ROUNDS})`,
  );
  return result;
}

console.log(`querygate bench:analyze — ${dialect.parserVersion}, node ${process.version}`);
console.log(`corpus: ${statements.length} valid statements from ${corpusDir}\n`);

console.log("1. Mixed corpus, one statement at a time");
const mixed = compare(
  () => {
    for (const s of statements) grammar.parse(s);
  },
  () => {
    for (const b of buffers) analyzeFully(b);
  },
);
const bareMixed = mixed.bare;
const fullMixed = mixed.full;
console.log(`  bare: ${Math.round(statements.length / (bareMixed / 1000))} statements/s`);
console.log(`  full: ${Math.round(statements.length / (fullMixed / 1000))} statements/s`);
console.log(`  full / bare: ${(fullMixed / bareMixed).toFixed(2)}×\n`);

const parts: string[] = [];
let size = 0;
for (const s of statements) {
  const piece = `${s};\n`;
  const bytes = Buffer.byteLength(piece);
  if (size + bytes > Math.min(SCRIPT_BYTES, MAX_SQL_SOURCE_BYTES)) break;
  parts.push(piece);
  size += bytes;
}
const script = parts.join("");
const scriptBuffer = Buffer.from(script);
const scriptCount = grammar.parse(script).stmts.length;
console.log(`2. One script of ${scriptBuffer.byteLength} bytes, ${scriptCount} statements`);
const scripted = compare(
  () => grammar.parse(script),
  () => analyzeFully(scriptBuffer),
);
const bareScript = scripted.bare;
const fullScript = scripted.full;
console.log(`  full: ${Math.round(scriptCount / (fullScript / 1000))} statements/s`);
console.log(`  full / bare: ${(fullScript / bareScript).toFixed(2)}×\n`);

console.log(
  `3. Memory over ${STREAM_STATEMENTS.toLocaleString("en")} statements${gc ? "" : " (run with --expose-gc for exact figures)"}`,
);
const samples: Array<{ at: number; heapMb: number; rssMb: number }> = [];
const sample = (at: number) => {
  gc?.();
  const m = process.memoryUsage();
  samples.push({ at, heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 });
  console.log(
    `  after ${String(at).padStart(9)}: heap ${(m.heapUsed / 2 ** 20).toFixed(1)} MB, rss ${(m.rss / 2 ** 20).toFixed(1)} MB`,
  );
};
const streamStart = process.hrtime.bigint();
for (let i = 0; i < STREAM_STATEMENTS; i++) {
  analyzeFully(buffers[i % buffers.length] as Buffer);
  if ((i + 1) % MEMORY_SAMPLE_EVERY === 0) sample(i + 1);
}
const streamSeconds = Number(process.hrtime.bigint() - streamStart) / 1e9;
const second = samples[1];
const last = samples[samples.length - 1];
if (second && last) {
  console.log(
    `  heap growth from ${second.at} to ${last.at}: ${(last.heapMb - second.heapMb).toFixed(1)} MB; rss growth ${(last.rssMb - second.rssMb).toFixed(1)} MB`,
  );
}
console.log(
  `  ${Math.round(STREAM_STATEMENTS / streamSeconds)} statements/s over the stream (with memory sampling)`,
);
