import type {
  OpenApiDescription,
  OperationObject,
  ParameterObject,
  ReferenceObject,
} from "./load-openapi-description.js";

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const PARAMETER_REF = "#/components/parameters/";
const GIT_REF_PARAMS = new Set(["ref", "branch"]);

type Segment = { kind: "literal"; value: string } | { kind: "param"; name: string; multi: boolean };

export interface RouteEntry {
  method: string;
  template: string;
  operation: OperationObject;
  parameters: ParameterObject[];
  segments: Segment[];
  // A multi-segment param takes the rest of a path only when no single-segment match exists.
  hasMultiSegmentParam: boolean;
}

export interface RouteLookup {
  entry: RouteEntry;
  params: Record<string, string>;
}

export interface RouteTable {
  find(method: string, path: string): RouteLookup | null;
}

export function createRouteTable(description: OpenApiDescription): RouteTable {
  const bySegmentCount = new Map<string, RouteEntry[]>();
  const multiSegment = new Map<string, RouteEntry[]>();
  for (const entry of routeEntries(description)) {
    pushTo(bySegmentCount, `${entry.method} ${entry.segments.length}`, entry);
    if (entry.hasMultiSegmentParam) pushTo(multiSegment, entry.method, entry);
  }

  return {
    find(method, path) {
      const upper = method.toUpperCase();
      const parts = splitPath(path);
      if (parts === null) return null;
      const exact = bestMatch(bySegmentCount.get(`${upper} ${parts.length}`) ?? [], parts, false);
      return exact ?? bestMatch(multiSegment.get(upper) ?? [], parts, true);
    },
  };
}

export function resolveParameter(
  description: OpenApiDescription,
  parameter: ParameterObject | ReferenceObject,
): ParameterObject {
  if (!("$ref" in parameter)) return parameter;
  const name = parameter.$ref.startsWith(PARAMETER_REF)
    ? parameter.$ref.slice(PARAMETER_REF.length)
    : undefined;
  const resolved = name === undefined ? undefined : description.components.parameters[name];
  if (resolved === undefined)
    throw new Error(`unresolvable parameter ${parameter.$ref} in GitHub's OpenAPI description`);
  return resolved;
}

function* routeEntries(description: OpenApiDescription): Generator<RouteEntry> {
  for (const [template, pathItem] of Object.entries(description.paths)) {
    // Octokit's "{base}...{head}" alias duplicates GitHub's own "{basehead}" operation, which must win.
    if (/[^/]\{|\}[^/]/.test(template)) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation === undefined) continue;
      // Operation-level parameters override path-level ones with the same name and location.
      const byKey = new Map<string, ParameterObject>();
      for (const parameter of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
        const resolved = resolveParameter(description, parameter);
        byKey.set(`${resolved.in}:${resolved.name}`, resolved);
      }
      const parameters = [...byKey.values()];
      const segments = parseTemplate(template, parameters);
      yield {
        method: method.toUpperCase(),
        template,
        operation,
        parameters,
        segments,
        hasMultiSegmentParam: segments.some((segment) => segment.kind === "param" && segment.multi),
      };
    }
  }
}

function parseTemplate(template: string, parameters: ParameterObject[]): Segment[] {
  const raw = template.split("/").slice(1);
  return raw.map((part, index): Segment => {
    const param = /^\{([^}]+)\}$/.exec(part)?.[1];
    if (param === undefined) return { kind: "literal", value: part };
    const definition = parameters.find((candidate) => candidate.in === "path" && candidate.name === param);
    // Git ref and branch names contain "/" and GitHub accepts them unencoded, though only some of
    // these params carry GitHub's x-multi-segment marker.
    const isTrailingRef = index === raw.length - 1 && GIT_REF_PARAMS.has(param);
    return { kind: "param", name: param, multi: definition?.["x-multi-segment"] === true || isTrailingRef };
  });
}

// Returns raw (still percent-encoded) segments so an encoded "/" stays inside its segment.
function splitPath(path: string): string[] | null {
  if (!path.startsWith("/")) return null;
  return path.split("/").slice(1);
}

function bestMatch(entries: RouteEntry[], parts: string[], allowMulti: boolean): RouteLookup | null {
  let best: { lookup: RouteLookup; rank: number[] } | null = null;
  for (const entry of entries) {
    const params = matchSegments(entry.segments, parts, allowMulti);
    if (params === null) continue;
    const rank = entry.segments.map((segment) => (segment.kind === "literal" ? 0 : 1));
    if (best === null || compareRanks(rank, best.rank) < 0) best = { lookup: { entry, params }, rank };
  }
  return best?.lookup ?? null;
}

// Literal segments beat parameters, compared left to right; then more literal segments win.
function compareRanks(a: number[], b: number[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return b.length - a.length;
}

function matchSegments(
  segments: Segment[],
  parts: string[],
  allowMulti: boolean,
): Record<string, string> | null {
  const params: Record<string, string> = {};
  const walk = (segmentIndex: number, partIndex: number): boolean => {
    const segment = segments[segmentIndex];
    if (segment === undefined) return partIndex === parts.length;
    const part = parts[partIndex];
    if (part === undefined) return false;
    if (segment.kind === "literal")
      return decode(part) === segment.value && walk(segmentIndex + 1, partIndex + 1);
    const remainingSegments = segments.length - segmentIndex - 1;
    const maxTaken = allowMulti && segment.multi ? parts.length - partIndex - remainingSegments : 1;
    for (let taken = 1; taken <= maxTaken; taken++) {
      const pieces = parts.slice(partIndex, partIndex + taken);
      if (pieces.some((piece) => piece === "")) break;
      params[segment.name] = pieces.map(decode).join("/");
      if (walk(segmentIndex + 1, partIndex + taken)) return true;
    }
    delete params[segment.name];
    return false;
  };
  return walk(0, 0) ? params : null;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
