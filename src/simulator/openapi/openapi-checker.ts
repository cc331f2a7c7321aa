import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { createAjv } from "./create-ajv.js";
import { describeAjvError, describeMessage, formatAjvErrors } from "./format-ajv-errors.js";
import {
  type JsonSchema,
  loadOpenApiDescription,
  type OpenApiDescription,
} from "./load-openapi-description.js";
import { createRouteTable, type RouteEntry, type RouteLookup } from "./route-table.js";
import { componentSchemaId, toJsonSchema } from "./to-json-schema.js";

export interface RouteMatch {
  operationId: string;
  method: string;
  template: string;
  params: Record<string, string>;
}

export interface RequestCheck {
  ok: boolean;
  route: RouteMatch | null;
  errors: string[];
}

export interface CheckRequestInput {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface OpenApiChecker {
  check(input: CheckRequestInput): RequestCheck;
  matchRoute(method: string, path: string): RouteMatch | null;
}

interface CompiledOperation {
  validateParameters: ValidateFunction;
  queryParameters: { name: string; isArray: boolean }[];
  body:
    | { kind: "json"; required: boolean; validate: ValidateFunction }
    | { kind: "other"; required: boolean }
    | { kind: "none" };
}

export function createOpenApiChecker(): OpenApiChecker {
  const description = loadOpenApiDescription();
  const routes = createRouteTable(description);
  // Path and query values arrive as strings, so only parameter validation coerces types.
  const parameterSchemas = createSchemaRegistry(
    description,
    createAjv({ coerceTypes: "array", verbose: true }),
  );
  const bodySchemas = createSchemaRegistry(description, createAjv());
  const compiled = new Map<RouteEntry, CompiledOperation>();

  const compile = (entry: RouteEntry): CompiledOperation => {
    let operation = compiled.get(entry);
    if (operation === undefined) {
      operation = compileOperation(entry, parameterSchemas, bodySchemas);
      compiled.set(entry, operation);
    }
    return operation;
  };

  return {
    matchRoute(method, path) {
      const found = routes.find(method, path);
      return found === null ? null : toRouteMatch(found);
    },
    check({ method, path, query, body }) {
      const found = routes.find(method, path);
      if (found === null) {
        const errors = [`no operation ${method.toUpperCase()} ${path} in GitHub's OpenAPI description`];
        return { ok: false, route: null, errors };
      }
      const { entry, params } = found;
      const route = toRouteMatch(found);
      const operation = compile(entry);
      const operationId = entry.operation.operationId;
      const errors = [
        ...checkParameters(operationId, operation, params, query),
        ...checkBody(operationId, operation, body),
      ];
      return { ok: errors.length === 0, route, errors };
    },
  };
}

function toRouteMatch({ entry, params }: RouteLookup): RouteMatch {
  return { operationId: entry.operation.operationId, method: entry.method, template: entry.template, params };
}

function compileOperation(entry: RouteEntry, parameterSchemas: SchemaRegistry, bodySchemas: SchemaRegistry) {
  const schemaFor = (location: "path" | "query") => {
    const parameters = entry.parameters.filter((parameter) => parameter.in === location);
    return {
      type: "object",
      properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema ?? {}])),
      required: parameters
        .filter((parameter) => parameter.required === true)
        .map((parameter) => parameter.name),
    };
  };
  const validateParameters = parameterSchemas.compile({
    type: "object",
    properties: { path: schemaFor("path"), query: schemaFor("query") },
  });
  const queryParameters = entry.parameters
    .filter((parameter) => parameter.in === "query")
    .map((parameter) => ({ name: parameter.name, isArray: parameter.schema?.type === "array" }));

  const requestBody = entry.operation.requestBody;
  const jsonSchema = requestBody?.content["application/json"]?.schema;
  let body: CompiledOperation["body"] = { kind: "none" };
  if (requestBody !== undefined && jsonSchema !== undefined) {
    body = {
      kind: "json",
      required: requestBody.required === true,
      validate: bodySchemas.compile(jsonSchema),
    };
  } else if (requestBody !== undefined) {
    body = { kind: "other", required: requestBody.required === true };
  }
  return { validateParameters, queryParameters, body } satisfies CompiledOperation;
}

function checkParameters(
  operationId: string,
  operation: CompiledOperation,
  path: Record<string, string>,
  query: URLSearchParams,
): string[] {
  const queryValues: Record<string, string | string[]> = {};
  for (const { name, isArray } of operation.queryParameters) {
    // Octokit and most clients send arrays as repeated `name[]=` or `name=` pairs.
    const values = [...query.getAll(name), ...query.getAll(`${name}[]`)];
    if (values.length === 0) continue;
    queryValues[name] = isArray || values.length > 1 ? values : (values[0] ?? "");
  }
  const data = { path: { ...path }, query: queryValues };
  if (operation.validateParameters(data)) return [];
  return formatAjvErrors(operationId, operation.validateParameters.errors, describeParameterError);
}

function describeParameterError(error: ErrorObject): string {
  const [, location, name, ...rest] = error.instancePath.split("/");
  if (error.keyword === "required" && name === undefined) {
    const missing = (error.params as { missingProperty?: string }).missingProperty;
    return `missing required ${location} parameter ${missing}`;
  }
  if (location === undefined || name === undefined) return describeAjvError(error);
  const pointer = rest.length > 0 ? `/${rest.join("/")}` : "";
  const got = typeof error.data === "string" ? ` (got ${JSON.stringify(error.data)})` : "";
  return `${location} parameter ${name}${pointer} ${describeMessage(error)}${got}`;
}

function checkBody(operationId: string, operation: CompiledOperation, body: unknown): string[] {
  const empty = body === undefined || body === "";
  const spec = operation.body;
  if (spec.kind === "none") {
    if (empty || isEmptyObject(body)) return [];
    return [`${operationId}: takes no request body, but one was sent (${JSON.stringify(body).slice(0, 80)})`];
  }
  if (empty) return spec.required ? [`${operationId}: request body is required but none was sent`] : [];
  if (spec.kind === "other" || spec.validate(body)) return [];
  return formatAjvErrors(operationId, spec.validate.errors);
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

interface SchemaRegistry {
  compile(schema: JsonSchema): ValidateFunction;
}

// Registers only the component schemas an operation reaches, translated on first use, so compiling one
// operation costs milliseconds instead of translating the whole description up front.
function createSchemaRegistry(description: OpenApiDescription, ajv: Ajv): SchemaRegistry {
  const registered = new Set<string>();
  const register = (names: Set<string>) => {
    const pending = [...names];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (registered.has(name)) continue;
      const component = description.components.schemas[name];
      if (component === undefined) {
        throw new Error(
          `GitHub's OpenAPI description references missing schema #/components/schemas/${name}`,
        );
      }
      const refs = new Set<string>();
      const schema = toJsonSchema(component, refs);
      ajv.addSchema(schema, componentSchemaId(name));
      registered.add(name);
      pending.push(...refs);
    }
  };
  return {
    compile(schema) {
      const refs = new Set<string>();
      const translated = toJsonSchema(schema, refs);
      register(refs);
      return ajv.compile(translated);
    },
  };
}
