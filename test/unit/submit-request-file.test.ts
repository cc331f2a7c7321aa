import { load } from "js-yaml";
import { describe, expect, test } from "vitest";
import { parseParams, parseTimeout, SUBMIT_EXIT, submitCommand } from "../../src/cli/submit-command.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { parseSqlHeader } from "../../src/requests/parse-sql-header.js";
import { isSqlRequestPath, isYamlRequestPath } from "../../src/requests/request-paths.js";
import { buildPullRequestText } from "../../src/submit/pull-request-text.js";
import { branchName, buildRequestFile, type RequestFileInput } from "../../src/submit/request-file.js";
import { SubmitInputError } from "../../src/submit/submit-errors.js";
import { MAX_WAIT_TIMEOUT_MS } from "../../src/submit/submit-limits.js";

const NOW = new Date("2026-03-04T05:06:07.890Z");
const base = { target: "orders-prod", reason: "Refund order 42 (SUP-1234)", now: NOW, shortId: "a1b2c3" };

function fieldOf(p: RequestFileInput): string {
  try {
    buildRequestFile(p);
  } catch (error) {
    if (error instanceof SubmitInputError) return `${error.field}: ${error.message}`;
    throw error;
  }
  return "no error";
}

describe("buildRequestFile", () => {
  test("SQL becomes queries/<yyyy-mm>/<slug>-<id>.sql with a header the request parser accepts; the SQL is untouched", () => {
    const file = buildRequestFile({
      ...base,
      sql: "UPDATE orders SET status = 'refunded' WHERE id = 42;",
      ticket: "SUP-1234",
      maxRows: 1,
      requestedBy: "helper-bot[bot]",
      actorType: "agent",
    });
    expect(file.path).toBe("queries/2026-03/refund-order-42-sup-1234-a1b2c3.sql");
    expect(isSqlRequestPath(file.path)).toBe(true);
    expect(file.content).toBe(
      [
        "-- target: orders-prod",
        "-- reason: Refund order 42 (SUP-1234)",
        "-- ticket: SUP-1234",
        "-- max_rows: 1",
        "-- Requested by helper-bot[bot] (agent) through querygate",
        "",
        "UPDATE orders SET status = 'refunded' WHERE id = 42;",
        "",
      ].join("\n"),
    );
    expect(parseSqlHeader(file.content)).toEqual({
      ok: true,
      header: { target: "orders-prod", reason: "Refund order 42 (SUP-1234)", maxRows: 1, ticket: "SUP-1234" },
    });
  });

  test("an action becomes a .yml with target, reason, action and params, quoted so YAML reads them back exactly", () => {
    const params = { order_id: 42, note: "true", code: "0012", flag: false, none: null, ids: [1, 2] };
    const file = buildRequestFile({ ...base, action: "refund-order", params, ticket: "SUP-1" });
    expect(file.path).toBe("queries/2026-03/refund-order-42-sup-1234-a1b2c3.yml");
    expect(isYamlRequestPath(file.path)).toBe(true);
    expect(load(file.content)).toEqual({
      target: "orders-prod",
      reason: "Refund order 42 (SUP-1234)",
      ticket: "SUP-1",
      action: "refund-order",
      params,
    });
  });

  test("SQL with positional params becomes a .yml with sql and params", () => {
    const file = buildRequestFile({ ...base, sql: "SELECT * FROM orders WHERE id = $1", params: [42] });
    expect(file.path.endsWith(".yml")).toBe(true);
    expect(load(file.content)).toMatchObject({ sql: "SELECT * FROM orders WHERE id = $1\n", params: [42] });
  });

  test("every input is checked once, with the field and what to do", () => {
    expect(fieldOf({ ...base, sql: "SELECT 1", action: "x" })).toMatch(/^sql: give either SQL or an action/);
    expect(fieldOf({ ...base })).toMatch(/^sql: give the SQL to run/);
    expect(fieldOf({ ...base, sql: "  \n" })).toBe("sql: the SQL is empty");
    expect(fieldOf({ ...base, target: "Orders Prod", sql: "SELECT 1" })).toMatch(
      /^target: "Orders Prod" is not a target name/,
    );
    expect(fieldOf({ ...base, reason: " ", sql: "SELECT 1" })).toMatch(/^reason: say why/);
    expect(fieldOf({ ...base, reason: "a\nb", sql: "SELECT 1" })).toMatch(
      /^reason: keep the reason on one line/,
    );
    expect(fieldOf({ ...base, reason: "x".repeat(2001), sql: "SELECT 1" })).toMatch(
      /^reason: the reason is 2001 characters; shorten it to at most 2000/,
    );
    expect(fieldOf({ ...base, sql: "SELECT 1", maxRows: -1 })).toMatch(/^max_rows:/);
    expect(fieldOf({ ...base, sql: "SELECT 1", ticket: "a\nb" })).toMatch(/^ticket:/);
    expect(fieldOf({ ...base, action: "../etc" })).toMatch(/^action: "..\/etc" is not an action name/);
    expect(fieldOf({ ...base, action: "a", params: { "bad-name": 1 } })).toMatch(/^params.bad-name:/);
    expect(fieldOf({ ...base, action: "a", params: { n: Number.NaN } })).toMatch(
      /^params.n: a parameter value/,
    );
    expect(fieldOf({ ...base, action: "a", params: [1] })).toMatch(
      /^params: an action's parameters are named/,
    );
    expect(fieldOf({ ...base, sql: "SELECT 1", params: { a: 1 } })).toMatch(
      /^params: with SQL, parameters are a list/,
    );
    // SQL whose leading comment looks like a header key would collide with the header.
    expect(fieldOf({ ...base, sql: "-- target: other\nSELECT 1;" })).toMatch(
      /^sql: the request file would not parse: .*given twice/,
    );
  });

  test("slugs fall back to `request` and stay short", () => {
    expect(buildRequestFile({ ...base, reason: "!!!", sql: "SELECT 1" }).path).toBe(
      "queries/2026-03/request-a1b2c3.sql",
    );
    const long = buildRequestFile({ ...base, reason: "word ".repeat(30), sql: "SELECT 1" }).path;
    expect(long).toMatch(/^queries\/2026-03\/word-word-[a-z-]+-a1b2c3\.sql$/);
    expect(long.length).toBeLessThan(80);
  });
});

describe("pull request text and branch", () => {
  test("title from the target and the reason, shortened; body names the file", () => {
    const text = buildPullRequestText({
      reason: "x".repeat(300),
      target: "orders-prod",
      path: "queries/a.sql",
      ticket: "T-1",
    });
    expect(text.title).toBe(`orders-prod: ${"x".repeat(119)}…`);
    expect(text.body).toContain("`queries/a.sql`");
    expect(text.body).toContain("**Ticket:** T-1");
  });

  test("branch names sort by time and differ by a random part", () => {
    expect(branchName(NOW, "abcdef123")).toBe("querygate/request-20260304T050607Z-abcdef");
  });
});

describe("submit flags", () => {
  test("--param values are JSON when they parse and JSON keeps them exact; otherwise text", () => {
    expect(
      parseParams([
        "id=42",
        "ok=true",
        "none=null",
        "name=alice",
        "price=19.90",
        "big=12345678901234567890",
        'quoted="42"',
        "ids=[1,2]",
        "eq=a=b",
        'obj={"a":1}',
      ]),
    ).toEqual({
      id: 42,
      ok: true,
      none: null,
      name: "alice",
      price: "19.90",
      big: "12345678901234567890",
      quoted: "42",
      ids: [1, 2],
      eq: "a=b",
      obj: '{"a":1}',
    });
    expect(() => parseParams(["novalue"])).toThrow(UsageError);
    expect(() => parseParams(["a=1", "a=2"])).toThrow(/given twice/);
  });

  test("--timeout takes durations and is bounded", () => {
    expect(parseTimeout("90s")).toBe(90_000);
    expect(parseTimeout("15m")).toBe(900_000);
    expect(parseTimeout("2h")).toBe(7_200_000);
    expect(parseTimeout("600")).toBe(600_000);
    expect(() => parseTimeout("soon")).toThrow(/duration/);
    expect(() => parseTimeout("0")).toThrow(/duration/);
    expect(() => parseTimeout(`${MAX_WAIT_TIMEOUT_MS / 1000 + 1}s`)).toThrow(/limit/);
  });
});

describe("submit usage", () => {
  const run = async (args: string[], env: Record<string, string> = { GITHUB_TOKEN: "t" }) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await submitCommand(args, {
      write: (l) => out.push(l),
      writeError: (l) => err.push(l),
      env,
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  const required = ["--repo", "acme/db", "--target", "orders-prod", "--reason", "why"];

  test("--wait without the querygate API is refused up-front, saying why and what to give", async () => {
    // Nothing is sent: a GitHub token that would fail is never used.
    const bare = await run([...required, "--sql", "SELECT 1", "--wait"]);
    expect(bare.code).toBe(SUBMIT_EXIT.usage);
    expect(bare.err).toContain("--wait needs --api-url (or QUERYGATE_API_URL) and QUERYGATE_API_TOKEN");
    expect(bare.err).toContain(
      "querygate reads a request's state from the app, never from comments or check runs anyone can write",
    );
    expect(bare.err).toContain("querygate token create");
    expect(
      (await run([...required, "--sql", "SELECT 1", "--wait", "--api-url", "https://qg.example"])).err,
    ).toContain("--wait needs QUERYGATE_API_TOKEN:");
    expect(
      (
        await run([...required, "--sql", "SELECT 1", "--wait"], {
          GITHUB_TOKEN: "t",
          QUERYGATE_API_TOKEN: "qg_x",
        })
      ).err,
    ).toContain("--wait needs --api-url (or QUERYGATE_API_URL):");
  });

  test("an --api-url that is GitHub's REST root (the flag's meaning before --wait followed the app) is refused", async () => {
    const env = { GITHUB_TOKEN: "t", QUERYGATE_API_TOKEN: "qg_x" };
    for (const url of [
      "https://api.github.com",
      "https://ghe.example/api/v3",
      "https://ghe.example/api/v3/",
    ]) {
      const refused = await run([...required, "--sql", "SELECT 1", "--wait", "--api-url", url], env);
      expect(refused.code).toBe(SUBMIT_EXIT.usage);
      expect(refused.err).toContain("give GitHub's as --github-api-url");
    }
  });

  test("--help prints the usage with the exit codes", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("Exit codes: 0 executed (or submitted, without --wait), 1 failed");
  });

  test("usage errors exit 3 before anything is sent, and say what to do", async () => {
    expect(await run([...required])).toMatchObject({
      code: SUBMIT_EXIT.usage,
      err: expect.stringContaining("give exactly one of --sql, --file or --action"),
    });
    expect(await run([...required, "--sql", "SELECT 1", "--action", "a"])).toMatchObject({ code: 3 });
    expect(await run(["--repo", "nope", "--target", "t", "--reason", "r", "--sql", "x"])).toMatchObject({
      code: 3,
      err: expect.stringContaining("--repo must be OWNER/NAME"),
    });
    expect(await run([...required, "--sql", "SELECT 1", "--param", "a=1"])).toMatchObject({
      code: 3,
      err: expect.stringContaining("--param goes with --action"),
    });
    expect(await run([...required, "--sql", "SELECT 1", "--timeout", "5m"])).toMatchObject({
      code: 3,
      err: expect.stringContaining("--timeout only applies with --wait"),
    });
    expect(await run([...required, "--sql", "SELECT 1", "--github-api-url", "ftp://x"])).toMatchObject({
      code: 3,
      err: expect.stringContaining("--github-api-url must be http(s)"),
    });
    // --api-url is the querygate app that --wait asks; GitHub's REST root is --github-api-url.
    expect(await run([...required, "--sql", "SELECT 1", "--api-url", "https://qg.example"])).toMatchObject({
      code: 3,
      err: expect.stringContaining("--api-url only applies with --wait"),
    });
    const withApiToken = { GITHUB_TOKEN: "t", QUERYGATE_API_TOKEN: "qg_x" };
    expect(
      await run([...required, "--sql", "SELECT 1", "--wait", "--api-url", "ftp://x"], withApiToken),
    ).toMatchObject({ code: 3, err: expect.stringContaining("--api-url must be http(s)") });
    expect(await run([...required, "--target", "Bad Name", "--sql", "SELECT 1"])).toMatchObject({
      code: 3,
      err: expect.stringContaining("target: "),
    });
    const json = await run([...required, "--sql", "SELECT 1", "--json"], {});
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      exit_code: 3,
      error: expect.stringContaining("GITHUB_TOKEN is not set"),
    });
  });
});
