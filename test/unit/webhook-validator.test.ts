import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { createWebhookValidator } from "../../src/simulator/webhooks/webhook-validator.js";
import { webhookReview } from "../support/builders/reviews.js";

interface WebhookDefinition {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

const definitions = createRequire(import.meta.url)(
  "@octokit/webhooks-examples/api.github.com/index.json",
) as WebhookDefinition[];

// The oldest examples of several events predate properties the schema now requires (e.g. `topics`), so
// the newest example per action is the one a current GitHub would send.
function example(event: string, action: string): Record<string, unknown> {
  const examples = definitions.find((definition) => definition.name === event)?.examples ?? [];
  const found = examples.findLast((candidate) => candidate.action === action);
  if (found === undefined) throw new Error(`no ${event}.${action} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null)
    throw new Error(`expected an object, got ${String(value)}`);
  return value as Record<string, unknown>;
}

const validator = createWebhookValidator();

describe("createWebhookValidator", () => {
  it.each([
    ["pull_request", "opened"],
    ["pull_request", "synchronize"],
    ["pull_request", "reopened"],
    ["pull_request_review", "submitted"],
    ["pull_request_review", "dismissed"],
    ["issue_comment", "created"],
    ["check_run", "requested_action"],
  ])("accepts the %s.%s example", (event, action) => {
    expect(validator.validate(event, example(event, action))).toEqual([]);
  });

  it("accepts a pull_request.edited payload built from the opened example", () => {
    // The examples package has no pull_request.edited payload.
    const payload = {
      ...example("pull_request", "opened"),
      action: "edited",
      changes: { title: { from: "old" } },
    };
    expect(validator.validate("pull_request", payload)).toEqual([]);
  });

  it("rejects an uppercase review state and accepts approved", () => {
    const submitted = example("pull_request_review", "submitted");
    expect(record(submitted.review).state).toBe("commented");

    const edited: Record<string, unknown> = {
      ...example("pull_request_review", "submitted"),
      action: "edited",
    };
    edited.changes = {};
    record(edited.review).state = "APPROVED";
    const errors = validator.validate("pull_request_review", edited);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^pull_request_review\.edited: \/review\/state must be equal to one of the allowed/,
    );

    record(submitted.review).state = "approved";
    expect(validator.validate("pull_request_review", submitted)).toEqual([]);
  });

  it("accepts the reviews test/support builds as webhooks send them, in every lower-case state", () => {
    for (const state of ["approved", "changes_requested", "commented", "dismissed"] as const) {
      const payload = {
        ...example("pull_request_review", "submitted"),
        review: webhookReview("dana", state),
      };
      expect(validator.validate("pull_request_review", payload)).toEqual([]);
    }
  });

  it("rejects a pull_request.opened payload without pull_request.number", () => {
    const payload = example("pull_request", "opened");
    delete record(payload.pull_request).number;
    expect(validator.validate("pull_request", payload)).toEqual([
      "pull_request.opened: /pull_request must have required property 'number'",
    ]);
  });

  it("names unknown properties", () => {
    const payload = { ...example("issue_comment", "created"), surprise: true };
    expect(validator.validate("issue_comment", payload)).toEqual([
      'issue_comment.created: / must NOT have additional properties ("surprise")',
    ]);
  });

  it("reports unknown events, unknown actions and a missing action", () => {
    expect(validator.validate("pull_requests", {})).toEqual([
      'unknown webhook event "pull_requests" (not in @octokit/webhooks-schemas)',
    ]);
    expect(validator.validate("pull_request", { action: "exploded" })[0]).toMatch(
      /^unknown action "exploded" for webhook event pull_request \(known: .*opened/,
    );
    expect(validator.validate("check_run", {})[0]).toMatch(/^check_run: \/ must have a string "action"/);
  });

  it("validates events without actions", () => {
    const errors = validator.validate("push", {});
    expect(errors).toContain("push: / must have required property 'ref'");
  });
});
