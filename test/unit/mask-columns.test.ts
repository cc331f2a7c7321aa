import { describe, expect, it } from "vitest";
import type { ColumnOrigin, ResultColumn } from "../../src/runner/execute/execution-types.js";
import { maskedColumnIndexes, statementReadsMaskedColumn } from "../../src/runner/mask-columns.js";

const CUSTOMERS_OID = 16_384;

function tableColumn(name: string, column: string, table = "customers", schema = "public"): ResultColumn {
  return {
    name,
    typeOid: 25,
    tableOid: CUSTOMERS_OID,
    columnNumber: 1,
    origin: { schema, table, column, relationKind: "table" },
  };
}

function computed(name: string): ResultColumn {
  return { name, typeOid: 25, tableOid: 0, columnNumber: 0, origin: null };
}

function masked(columns: ResultColumn[], maskPatterns: string[], statementReadsMasked = false): number[] {
  return [...maskedColumnIndexes({ columns, maskPatterns, statementReadsMasked })].sort();
}

describe("maskedColumnIndexes", () => {
  it("masks a column renamed by an alias: the origin, not the name, decides", () => {
    // SELECT id, ssn AS note FROM customers
    expect(masked([tableColumn("id", "id"), tableColumn("note", "ssn")], ["*.ssn"], true)).toEqual([1]);
    // SELECT note AS ssn …: a column merely *named* ssn is not masked for its name.
    expect(masked([tableColumn("ssn", "note")], ["*.ssn"])).toEqual([]);
  });

  it("masks an expression over a masked column when the statement reads one, and not otherwise", () => {
    // SELECT upper(ssn), name FROM customers
    expect(masked([computed("upper"), tableColumn("name", "name")], ["*.ssn"], true)).toEqual([0]);
    // SELECT upper(name) FROM customers: the statement reads no masked column.
    expect(masked([computed("upper")], ["*.ssn"], false)).toEqual([]);
  });

  it("leaves the unmasked columns of the same table visible", () => {
    const columns = ["id", "name", "email", "ssn"].map((c) => tableColumn(c, c));
    expect(masked(columns, ["public.customers.ssn"], true)).toEqual([3]);
    expect(masked(columns, ["customers.email", "*.ssn"], true)).toEqual([2, 3]);
  });

  it("reads `*.ssn` as any table's ssn, in any schema, and `*` never crosses a dot", () => {
    expect(masked([tableColumn("ssn", "ssn", "employees", "hr")], ["*.ssn"])).toEqual([0]);
    expect(masked([tableColumn("ssn", "ssn", "employees", "hr")], ["hr.*.ssn"])).toEqual([0]);
    expect(masked([tableColumn("ssn", "ssn", "employees", "hr")], ["public.*.ssn"])).toEqual([]);
    // `*` stands for one name: `*.ssn` does not match a column called ssn_last4, nor `*` a schema + table.
    expect(masked([tableColumn("ssn_last4", "ssn_last4")], ["*.ssn"])).toEqual([]);
    expect(masked([tableColumn("ssn", "ssn")], ["*.customers.*.ssn"])).toEqual([]);
    expect(masked([tableColumn("ssn", "ssn")], ["**.ssn"])).toEqual([0]);
    // Case-sensitive, as identifiers are after folding.
    expect(masked([tableColumn("SSN", "SSN")], ["*.ssn"])).toEqual([]);
  });

  it("fails closed on a column without an origin: lookup failed, not done, or computed", () => {
    const notLookedUp: ResultColumn = { name: "ssn", typeOid: 25 };
    const lookupFailed: ResultColumn = {
      name: "ssn",
      typeOid: 25,
      tableOid: CUSTOMERS_OID,
      columnNumber: 4,
      origin: null,
    };
    expect(masked([notLookedUp, lookupFailed, computed("n")], ["*.ssn"], true)).toEqual([0, 1, 2]);
  });

  it("masks a whole-row value when any column of the row is masked", () => {
    const row = (rowColumns: string[]): ResultColumn => ({
      name: "c",
      typeOid: 99_999,
      tableOid: CUSTOMERS_OID,
      columnNumber: 0,
      origin: { schema: "public", table: "customers", column: "*", relationKind: "table", rowColumns },
    });
    expect(masked([row(["id", "ssn"])], ["*.ssn"])).toEqual([0]);
    expect(masked([row(["id", "name"])], ["*.ssn"])).toEqual([]);
  });

  it("masks every column PostgreSQL reports from a view or materialized view while a mask applies", () => {
    const through = (relationKind: ColumnOrigin["relationKind"]): ResultColumn => ({
      name: "note",
      typeOid: 25,
      tableOid: CUSTOMERS_OID + 1,
      columnNumber: 2,
      origin: { schema: "public", table: "customer_notes", column: "note", relationKind },
    });
    expect(masked([through("view"), through("materialized_view")], ["*.ssn"], false)).toEqual([0, 1]);
    expect(masked([through("foreign_table")], ["*.ssn"], false)).toEqual([]);
    expect(masked([through("view")], [], true)).toEqual([]);
  });

  it("masks nothing when no mask pattern applies", () => {
    expect(masked([tableColumn("ssn", "ssn"), computed("x")], [], true)).toEqual([]);
  });
});

describe("statementReadsMaskedColumn", () => {
  const read = (columns: Array<[string, string, string]>, maskPatterns: string[]) =>
    statementReadsMaskedColumn({
      columnsRead: columns.map(([schema, table, column]) => ({ schema, table, column })),
      maskPatterns,
    });

  it("matches the schema-qualified and the table.column forms", () => {
    expect(read([["public", "customers", "ssn"]], ["*.ssn"])).toBe(true);
    expect(read([["public", "customers", "ssn"]], ["public.customers.ssn"])).toBe(true);
    expect(read([["public", "customers", "ssn"]], ["customers.ssn"])).toBe(true);
    expect(read([["public", "customers", "name"]], ["*.ssn"])).toBe(false);
    expect(read([["public", "orders", "ssn"]], ["customers.ssn"])).toBe(false);
    expect(read([], ["*.ssn"])).toBe(false);
    expect(read([["public", "customers", "ssn"]], [])).toBe(false);
  });

  it("counts `*` as every column of its table", () => {
    expect(read([["public", "customers", "*"]], ["*.ssn"])).toBe(true);
    expect(read([["public", "customers", "*"]], ["public.customers.ssn"])).toBe(true);
    expect(read([["public", "customers", "*"]], ["orders.total"])).toBe(false);
  });
});
