import { collectLiveFacts } from "../sql/postgres/live/collect-live-facts.js";
import type { Analysis, Dialect } from "../sql/statement.js";
import { type ReviewedStatement, reviewStatements } from "./review-statements.js";

export interface AnalyzeWithTargetParams {
  dialect: Dialect;
  source: Uint8Array;
  /** The target to consult read-only; without it, analysis is offline. */
  databaseUrl?: string | null;
  searchPath?: string[];
  params?: Record<number, Array<string | null>>;
}

export type TargetAnalysis =
  | { ok: true; analysis: Analysis; statements: ReviewedStatement[] }
  | { ok: false; analysis: Analysis; statements: [] };

/** Parse and classify, look the statements up on the target when one is given, then review them. */
export async function analyzeWithTarget(p: AnalyzeWithTargetParams): Promise<TargetAnalysis> {
  const analysis = p.dialect.analyze(p.source);
  if (!analysis.ok) return { ok: false, analysis, statements: [] };
  const live = p.databaseUrl
    ? await collectLiveFacts({
        connectionString: p.databaseUrl,
        statements: analysis.statements,
        searchPath: p.searchPath,
        params: p.params,
      })
    : null;
  return { ok: true, analysis, statements: reviewStatements({ statements: analysis.statements, live }) };
}
