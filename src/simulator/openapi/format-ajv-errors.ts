import type { ErrorObject } from "ajv";

const MAX_ERRORS = 25;

// Turns Ajv errors into "<prefix>: <json pointer> <message>" lines, adding the offending names and
// allowed values that Ajv keeps in `params`, so a reader can fix the payload without rerunning Ajv.
export function formatAjvErrors(
  prefix: string,
  errors: readonly ErrorObject[] | null | undefined,
  describe: (error: ErrorObject) => string = describeAjvError,
): string[] {
  const lines = [...new Set(simplify(errors ?? []).map((error) => `${prefix}: ${describe(error)}`))];
  if (lines.length <= MAX_ERRORS) return lines;
  return [...lines.slice(0, MAX_ERRORS), `${prefix}: … and ${lines.length - MAX_ERRORS} more errors`];
}

export function describeAjvError(error: ErrorObject): string {
  return `${error.instancePath || "/"} ${describeMessage(error)}`;
}

export function describeMessage(error: ErrorObject): string {
  const message = error.message ?? `fails ${error.keyword}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return `${message} (${JSON.stringify(params.additionalProperty)})`;
    case "enum":
      return `${message}: ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
    case "const":
      return `${message}: ${JSON.stringify(params.allowedValue)}`;
    default:
      return message;
  }
}

// Every failed branch of an anyOf/oneOf reports its own error. When all branches only disagree on the
// value's type, one merged "must be null, string or integer" says everything; otherwise the
// "must match a schema in anyOf" line stays, as it tells the reader the other errors are alternatives.
function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  const isTypeChoice = (error: ErrorObject): boolean => {
    if (error.keyword !== "anyOf" && error.keyword !== "oneOf") return false;
    const branches = errors.filter((other) => other.schemaPath.startsWith(`${error.schemaPath}/`));
    return (
      branches.length > 0 &&
      branches.every(
        (branch) =>
          branch.instancePath === error.instancePath && (branch.keyword === "type" || isTypeChoice(branch)),
      )
    );
  };
  const kept = errors.filter((error) => !isTypeChoice(error));
  const merged: ErrorObject[] = [];
  const typeErrors = new Map<string, ErrorObject>();
  for (const error of kept) {
    if (error.keyword !== "type") {
      merged.push(error);
      continue;
    }
    const types = String(error.params.type).split(",");
    const previous = typeErrors.get(error.instancePath);
    if (previous === undefined) {
      const copy = { ...error, params: { type: types }, message: `must be ${joinAlternatives(types)}` };
      typeErrors.set(error.instancePath, copy);
      merged.push(copy);
    } else {
      const known = previous.params.type as string[];
      for (const type of types) if (!known.includes(type)) known.push(type);
      previous.message = `must be ${joinAlternatives(known)}`;
    }
  }
  return merged;
}

function joinAlternatives(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
