import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/github/parse-command.js";

describe("parseCommand", () => {
  it.each(["plan", "run", "help"] as const)("reads /querygate %s", (verb) => {
    expect(parseCommand(`/querygate ${verb}`)).toEqual({ verb });
  });

  it("matches the prefix and verb case-insensitively", () => {
    expect(parseCommand("/QueryGate RUN")).toEqual({ verb: "run" });
    expect(parseCommand("/QUERYGATE Plan")).toEqual({ verb: "plan" });
  });

  it("ignores surrounding whitespace and extra words", () => {
    expect(parseCommand("   /querygate   plan   please\t")).toEqual({ verb: "plan" });
  });

  it("reads only the first line", () => {
    expect(parseCommand("/querygate run\nand some explanation")).toEqual({ verb: "run" });
    expect(parseCommand("Looks good to me.\n/querygate run")).toBeNull();
  });

  it("accepts a CRLF first line", () => {
    expect(parseCommand("/querygate help\r\nthanks")).toEqual({ verb: "help" });
  });

  it("reports an unknown verb with the word as written", () => {
    expect(parseCommand("/querygate Deploy now")).toEqual({ verb: "unknown", word: "Deploy" });
  });

  it("reports the bare prefix as an unknown, empty verb", () => {
    expect(parseCommand("/querygate")).toEqual({ verb: "unknown", word: "" });
  });

  it.each(["LGTM", "", "querygate run", "/querygaterun", "/other run", "please /querygate run"])(
    "returns null for the non-command %j",
    (body) => {
      expect(parseCommand(body)).toBeNull();
    },
  );
});
