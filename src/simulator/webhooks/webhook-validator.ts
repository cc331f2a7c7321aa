import type { ValidateFunction } from "ajv";
import { createAjv } from "../openapi/create-ajv.js";
import { formatAjvErrors } from "../openapi/format-ajv-errors.js";
import { readDevDependencyJson } from "../openapi/read-dev-dependency-json.js";

export interface WebhookValidator {
  validate(eventName: string, payload: unknown): string[];
}

interface WebhookSchemas {
  definitions: Record<string, Record<string, unknown>>;
}

const SCHEMA_ID = "https://querygate.invalid/octokit/webhooks-schemas";

let cachedSchemas: WebhookSchemas | undefined;

function loadWebhookSchemas(): WebhookSchemas {
  cachedSchemas ??= readDevDependencyJson("@octokit/webhooks-schemas", "schema.json") as WebhookSchemas;
  return cachedSchemas;
}

// Definitions are named "<event>$<action>" (e.g. "pull_request$opened"), or "<event>$event" for events
// without actions (e.g. "push$event"); "<event>_event" is the oneOf over all actions, whose errors would
// list every action's mismatch, so payloads are checked against the single action's definition instead.
export function createWebhookValidator(): WebhookValidator {
  const { definitions } = loadWebhookSchemas();
  const ajv = createAjv();
  ajv.addSchema({ $id: SCHEMA_ID, definitions });
  const compiled = new Map<string, ValidateFunction>();

  const actionsOf = (eventName: string): string[] =>
    Object.keys(definitions)
      .filter((name) => name.startsWith(`${eventName}$`) && name !== `${eventName}$event`)
      .map((name) => name.slice(eventName.length + 1));

  const definitionFor = (eventName: string, payload: unknown): { name: string } | { error: string } => {
    if (Object.hasOwn(definitions, `${eventName}$event`)) return { name: `${eventName}$event` };
    const actions = actionsOf(eventName);
    if (actions.length === 0) {
      return { error: `unknown webhook event "${eventName}" (not in @octokit/webhooks-schemas)` };
    }
    const action = isObject(payload) ? payload.action : undefined;
    if (typeof action !== "string") {
      return { error: `${eventName}: / must have a string "action" (one of ${actions.join(", ")})` };
    }
    if (!actions.includes(action)) {
      return {
        error: `unknown action "${action}" for webhook event ${eventName} (known: ${actions.join(", ")})`,
      };
    }
    return { name: `${eventName}$${action}` };
  };

  return {
    validate(eventName, payload) {
      const definition = definitionFor(eventName, payload);
      if ("error" in definition) return [definition.error];
      let validate = compiled.get(definition.name);
      if (validate === undefined) {
        validate = ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/${definition.name}` });
        compiled.set(definition.name, validate);
      }
      if (validate(payload)) return [];
      const prefix = definition.name.endsWith("$event") ? eventName : definition.name.replace("$", ".");
      return formatAjvErrors(prefix, validate.errors);
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
