import { describe, expect, it } from "vitest";
import { renderCheckRun } from "../../../src/render/render-check-run.js";
import { checkRunParams } from "../../support/render-inputs.js";
import { checkRunSnapshot } from "../../support/snapshot-text.js";
import { pullRequestStates } from "./pull-request-states.js";

const states = await pullRequestStates();

/** The `querygate` check run as users read it on GitHub, one snapshot per state. */
describe("the querygate check run, as users read it", () => {
  it.each(Object.keys(states))("%s", async (name) => {
    const output = renderCheckRun(checkRunParams(states[name] ?? {}));
    await expect(checkRunSnapshot(output)).toMatchFileSnapshot(`./__snapshots__/check-run-${name}.md`);
  });
});
