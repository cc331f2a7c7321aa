import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

interface ExampleGroup {
  name: string;
  actions: string[];
  examples: Array<Record<string, unknown>>;
}

const FALLBACK_ACTION = "opened";

let cached: ExampleGroup[] | undefined;

function loadExamples(): ExampleGroup[] {
  if (cached) return cached;
  let file: string;
  try {
    file = require.resolve("@octokit/webhooks-examples/api.github.com/index.json");
  } catch {
    throw new Error(
      "querygate sim needs the dev dependency @octokit/webhooks-examples to build webhook payloads: run `npm ci` (without --omit=dev)",
    );
  }
  cached = JSON.parse(readFileSync(file, "utf8")) as ExampleGroup[];
  return cached;
}

function richness(example: Record<string, unknown>): number {
  return JSON.stringify(example).length + Object.keys(example).length * 1_000_000;
}

/**
 * A deep copy of GitHub's richest recorded example for the event and action (the one with the most
 * top-level keys, so `installation` and `organization` are present when any example has them). When
 * no example has the action (GitHub's examples have no `pull_request.edited`), the "opened" (else first)
 * example of the event with the action replaced: its top-level keys are the plain envelope, free of
 * action-specific keys such as `label` or `assignee` that another action's schema would reject.
 */
export function examplePayload(event: string, action: string): Record<string, unknown> {
  const group = loadExamples().find((g) => g.name === event);
  if (!group || group.examples.length === 0) {
    throw new Error(`@octokit/webhooks-examples has no example for the "${event}" event`);
  }
  const sameAction = group.examples.filter((example) => example.action === action);
  const opened = group.examples.filter((example) => example.action === FALLBACK_ACTION);
  const pool = sameAction.length > 0 ? sameAction : opened.length > 0 ? opened : group.examples.slice(0, 1);
  const best = pool.reduce((a, b) => (richness(b) > richness(a) ? b : a));
  return { ...structuredClone(best), action };
}
