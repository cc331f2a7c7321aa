import type pg from "pg";
import Cursor from "pg-cursor";
import { FETCH_BATCH_ROWS } from "./execute-limits.js";
import type { ExecutableStatement, ResultColumn, StatementResult } from "./execution-types.js";

type Row = (string | null)[];

const TEXT_OID = 25;
const COPY_IN_REFUSED = "COPY FROM STDIN is not supported by querygate: the request carries no data stream";

// Values exactly as PostgreSQL printed them: no int8/numeric precision loss, no time zone re-reading.
const RAW_TEXT = {
  getTypeParser: () => (value: string) => value,
} as unknown as pg.CustomTypesConfig;

/**
 * pg-cursor, made safe for any statement: a COPY would otherwise send messages it has no handler for.
 * COPY … TO STDOUT lines become rows of one text column; COPY … FROM STDIN is failed at once.
 */
class StatementCursor extends Cursor<Row> {
  copyRows: Row[] = [];
  copyCount = 0;

  constructor(
    statement: ExecutableStatement,
    private readonly keep: number,
  ) {
    super(statement.text, statement.params, { rowMode: "array", types: RAW_TEXT });
  }

  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail(COPY_IN_REFUSED);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    this.copyCount++;
    if (this.copyRows.length < this.keep)
      this.copyRows.push([message.chunk.toString("utf8").replace(/\n$/, "")]);
  }
}

/**
 * Runs one statement over the extended protocol (one statement per Parse message; `$n` bound) through a
 * portal read in batches: whatever the result size, at most `maxResultRows` rows are kept in memory.
 */
export async function runStatement(params: {
  client: pg.Client;
  statement: ExecutableStatement;
  maxResultRows: number;
  /** Keep RowDescription's table OID and column number on each column (see resolveColumnOrigins). */
  withColumnSources?: boolean;
}): Promise<StatementResult> {
  const { statement, maxResultRows } = params;
  const sources = params.withColumnSources === true;
  const cursor = params.client.query(new StatementCursor(statement, maxResultRows));
  let ended = false;
  cursor.once("end", () => {
    ended = true;
  });
  const rows: Row[] = [];
  let seen = 0;
  let result: pg.QueryResult | undefined;
  // On an error pg-cursor has already sent Sync: the rejection ends the statement, nothing to close.
  while (!ended) {
    const batch = await readBatch(cursor);
    result = batch.result ?? result;
    seen += batch.rows.length;
    for (const row of batch.rows) {
      if (rows.length >= maxResultRows) break;
      rows.push(row);
    }
  }

  const command = result?.command ?? "";
  const tagCount = result?.rowCount ?? null;
  if (cursor.copyCount > 0) {
    return {
      index: statement.index,
      command,
      rowCount: Math.max(tagCount ?? 0, cursor.copyCount),
      rows: cursor.copyRows,
      columns: [{ name: "COPY", typeOid: TEXT_OID, ...(sources ? { tableOid: 0, columnNumber: 0 } : {}) }],
      truncated: cursor.copyCount > maxResultRows,
    };
  }
  const fields = result?.fields ?? [];
  if (fields.length === 0) return { index: statement.index, command, rowCount: tagCount ?? 0 };
  return {
    index: statement.index,
    command,
    // A portal read in several Execute messages is tagged with the last batch's count only, RETURNING
    // included ("UPDATE 500" for 2,500 rows): the rows seen are the count, or the ceiling could be dodged.
    rowCount: Math.max(seen, tagCount ?? 0),
    rows,
    columns: fields.map(
      (f): ResultColumn => ({
        name: f.name,
        typeOid: f.dataTypeID,
        // 0 and 0 for a computed column; PostgreSQL follows aliases, subqueries and CTEs, not views.
        ...(sources ? { tableOid: f.tableID, columnNumber: f.columnID } : {}),
      }),
    ),
    truncated: seen > maxResultRows,
  };
}

function readBatch(cursor: Cursor<Row>): Promise<{ rows: Row[]; result: pg.QueryResult | undefined }> {
  return new Promise((resolve, reject) => {
    cursor.read(FETCH_BATCH_ROWS, (error, rows, result) => {
      if (error) reject(error);
      // After the end, pg-cursor answers with no result object.
      else resolve({ rows, result: result as pg.QueryResult | undefined });
    });
  });
}
