import { readDevDependencyJson } from "./read-dev-dependency-json.js";

export type JsonSchema = { [keyword: string]: unknown };

export interface ParameterObject {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
  "x-multi-segment"?: boolean;
}

export interface ReferenceObject {
  $ref: string;
}

export interface MediaTypeObject {
  schema?: JsonSchema;
}

export interface RequestBodyObject {
  required?: boolean;
  content: Record<string, MediaTypeObject>;
}

export interface OperationObject {
  operationId: string;
  parameters?: (ParameterObject | ReferenceObject)[];
  requestBody?: RequestBodyObject;
}

export type PathItemObject = Partial<Record<string, OperationObject>> & {
  parameters?: (ParameterObject | ReferenceObject)[];
};

export interface OpenApiDescription {
  openapi: string;
  paths: Record<string, PathItemObject>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, ParameterObject>;
  };
}

let cached: OpenApiDescription | undefined;

// Only api.github.com.json: the package root would load every GitHub Enterprise description too (~385 MB).
export function loadOpenApiDescription(): OpenApiDescription {
  cached ??= readDevDependencyJson("@octokit/openapi", "generated/api.github.com.json") as OpenApiDescription;
  return cached;
}
