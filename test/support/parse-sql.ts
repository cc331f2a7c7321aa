import { type ReviewedStatement, reviewStatements } from "../../src/lint/review-statements.js";
import type { LiveStatementFacts } from "../../src/sql/live-facts.js";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";
import type { Statement } from "../../src/sql/statement.js";

/** The PostgreSQL dialect (default grammar), created once per test file. */
export const dialect = await createPostgresDialect();

/** The statements of `sql`; throws (naming the SQL) when it does not parse. */
export function parseSql(sql: string): Statement[] {
  const analysis = dialect.analyze(Buffer.from(sql, "utf8"));
  if (!analysis.ok) throw new Error(`expected ${JSON.stringify(sql)} to parse: ${analysis.error.message}`);
  return analysis.statements;
}

/**
 * The statements of `sql` after review, as a policy evaluates them. With `estimatedRows` each statement
 * gets live facts with that estimate (and nothing else); without, no live facts at all.
 */
export function reviewSql(sql: string, estimatedRows?: number | null): ReviewedStatement[] {
  const statements = parseSql(sql);
  const live =
    estimatedRows === undefined
      ? null
      : statements.map(
          (): LiveStatementFacts => ({ relations: [], functions: [], estimatedRows, errors: [] }),
        );
  return reviewStatements({ statements, live });
}
