/**
 * How fast the executor streams a large read, and how much memory it holds while doing it. Prints
 * figures; asserts nothing.
 *
 *   npx tsc -p bench/tsconfig.json && node --expose-gc dist-bench/bench/runner-read.js
 *
 * Target: QUERYGATE_BENCH_DATABASE_URL, else the local server. The query only reads generate_series.
 */

import { FETCH_BATCH_ROWS } from "../src/runner/execute/execute-limits.js";
import { executeStatements } from "../src/runner/execute/execute-statements.js";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const ROWS = [10_000, 100_000, 1_000_000];
const PAD = 100;
const KEPT_ROWS = 500;
const ROUNDS = 3;
const HEAP_SAMPLE_MS = 5;
const STATEMENT_TIMEOUT_MS = 120_000;
const MIB = 1024 * 1024;

const url = process.env.QUERYGATE_BENCH_DATABASE_URL ?? DEFAULT_URL;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.log("(run with node --expose-gc for steadier heap figures)");
console.log(`batch ${FETCH_BATCH_ROWS} rows, ${KEPT_ROWS} rows kept, ${PAD}-character pad column`);

for (const rows of ROWS) {
  const times: number[] = [];
  let peakGrowth = 0;
  for (let round = 0; round < ROUNDS; round++) {
    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, HEAP_SAMPLE_MS);
    const started = performance.now();
    const outcome = await executeStatements({
      statements: [
        {
          index: 0,
          text: `SELECT g, repeat('x', ${PAD}) AS pad FROM generate_series(1, $1::int) g`,
          params: [rows],
          class: "read",
          line: 1,
          ownTransaction: false,
        },
      ],
      connectionString: url,
      settings: {
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
        lockTimeoutMs: 1_000,
        idleInTransactionTimeoutMs: 10_000,
        applicationName: "querygate-bench",
        searchPath: ["public"],
      },
      maxResultRows: KEPT_ROWS,
      maxAffectedRows: null,
      onTransactionId: async () => undefined,
      clock: () => new Date(),
    });
    times.push(performance.now() - started);
    clearInterval(sampler);
    if (outcome.status !== "read" || outcome.statements[0]?.rowCount !== rows) {
      throw new Error(`unexpected outcome: ${JSON.stringify(outcome.error ?? outcome.status)}`);
    }
    peakGrowth = Math.max(peakGrowth, peak - baseline);
  }
  const best = Math.min(...times);
  console.log(
    `${rows.toLocaleString("en")} rows: best ${best.toFixed(0)} ms (${Math.round(rows / (best / 1000)).toLocaleString("en")} rows/s), peak heap growth ${(peakGrowth / MIB).toFixed(1)} MiB`,
  );
}
