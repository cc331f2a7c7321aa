import type { JsonSchema } from "./load-openapi-description.js";

const COMPONENT_SCHEMA_REF = "#/components/schemas/";
const COMPONENT_SCHEMA_ID = "https://querygate.invalid/openapi/components/schemas/";

const SCHEMA_MAP_KEYWORDS = new Set(["properties", "patternProperties"]);
const SCHEMA_LIST_KEYWORDS = new Set(["allOf", "anyOf", "oneOf"]);
const SCHEMA_KEYWORDS = new Set(["not", "additionalProperties", "items", "contains", "propertyNames"]);
// Annotations that never affect validation; dropping them keeps compiled schemas small. `discriminator`
// only narrows error reporting and Ajv rejects GitHub's usage of it, so the plain oneOf still applies.
const DROPPED_KEYWORDS = new Set([
  "description",
  "title",
  "example",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "externalDocs",
  "discriminator",
  "xml",
]);
const ANNOTATION_ONLY = new Set(["nullable", ...DROPPED_KEYWORDS]);

export function componentSchemaId(name: string): string {
  return `${COMPONENT_SCHEMA_ID}${encodeURIComponent(name)}`;
}

export function componentSchemaName(ref: string): string | undefined {
  return ref.startsWith(COMPONENT_SCHEMA_REF) ? ref.slice(COMPONENT_SCHEMA_REF.length) : undefined;
}

// Converts an OpenAPI 3.0 schema object to draft-07 JSON Schema for Ajv: `nullable` becomes a "null" type,
// component refs point at separately registered schemas (collected into `refs`), annotations are dropped.
export function toJsonSchema(schema: unknown, refs: Set<string>): JsonSchema | boolean {
  if (typeof schema === "boolean") return schema;
  if (!isObject(schema)) return {};
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(keyword) || keyword === "nullable" || keyword.startsWith("x-")) continue;
    if (keyword === "$ref" && typeof value === "string") {
      const name = componentSchemaName(value);
      if (name === undefined) throw new Error(`unsupported $ref ${value} in GitHub's OpenAPI description`);
      refs.add(name);
      out.$ref = componentSchemaId(name);
    } else if (SCHEMA_MAP_KEYWORDS.has(keyword) && isObject(value)) {
      out[keyword] = Object.fromEntries(
        Object.entries(value).map(([key, sub]) => [key, toJsonSchema(sub, refs)]),
      );
    } else if (SCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value)) {
      out[keyword] = value.map((sub) => toJsonSchema(sub, refs));
    } else if (SCHEMA_KEYWORDS.has(keyword)) {
      out[keyword] = Array.isArray(value)
        ? value.map((sub) => toJsonSchema(sub, refs))
        : toJsonSchema(value, refs);
    } else {
      out[keyword] = value;
    }
  }
  return schema.nullable === true ? allowNull(out, schema) : out;
}

function allowNull(out: JsonSchema, original: Record<string, unknown>): JsonSchema {
  if (Object.keys(original).every((keyword) => ANNOTATION_ONLY.has(keyword) || keyword.startsWith("x-"))) {
    return out;
  }
  if (typeof out.type === "string" || Array.isArray(out.type)) {
    const types: unknown[] = Array.isArray(out.type) ? out.type : [out.type];
    if (!types.includes("null")) out.type = [...types, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [{ type: "null" }, out] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
