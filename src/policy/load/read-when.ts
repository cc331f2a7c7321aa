import { STATEMENT_CLASSES, type StatementClass } from "../../sql/statement.js";
import type { KeyPath } from "../../yaml/key-path.js";
import {
  checkKeys,
  describe,
  didYouMean,
  quoted,
  type ReadContext,
  readMapping,
  readScalarList,
  readString,
  readStringList,
  refer,
  report,
} from "../../yaml/read-context.js";
import type { Actor, NumberRange, TimeWindow, WhenConditions } from "../policy-types.js";
import { checkTargetPattern, type PatternLevel } from "./object-pattern.js";
import { TARGET_NAME } from "./read-target.js";
import { OBJECT_OPERATIONS, REVIEW_RULE_IDS, STATEMENT_FLAGS } from "./statement-vocabulary.js";

const WHEN_KEYS = [
  "target",
  "environment",
  "class",
  "operation",
  "objects",
  "columns",
  "flags",
  "findings",
  "estimated_rows",
  "params",
  "actor",
  "labels",
  "action",
  "time",
] as const;
const RANGE_KEYS = ["gt", "gte", "lt", "lte"] as const;
const PARAM_KEYS = ["in", ...RANGE_KEYS] as const;
const TIME_KEYS = ["weekdays", "hours", "timezone"] as const;
const ACTORS: readonly Actor[] = ["user", "bot", "agent"];
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const HOURS = /^([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$/;
const MINUTES_PER_DAY = 24 * 60;
const DEFAULT_TIMEZONE = "UTC";

/** `when`: structured conditions, all of which must hold; lists match when any element does. */
export function readWhen(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): WhenConditions | null {
  const map = readMapping(ctx, {
    value,
    path,
    expected: "a mapping of conditions (class, environment, objects, …)",
  });
  if (!map) return null;
  let ok = checkKeys(ctx, { map, path, known: WHEN_KEYS });
  if (Object.keys(map).length === 0) {
    report(ctx, path, `${quoted(path)} is empty: remove it to match every statement, or add conditions`);
    return null;
  }
  const when: WhenConditions = {};
  const at = (key: string): KeyPath => [...path, key];
  const keep = <T>(read: T | null): T | undefined => {
    if (read === null) ok = false;
    return read ?? undefined;
  };
  const names = (key: string, check?: (item: string) => string | null): string[] | null =>
    readStringList(ctx, { value: map[key], path: at(key), check })?.map((i) => i.item) ?? null;
  const choices = <T extends string>(key: string, allowed: readonly T[]): T[] | null =>
    names(key, (item) =>
      (allowed as readonly string[]).includes(item)
        ? null
        : `\`${item}\` is not one of ${allowed.join(", ")}${didYouMean(item, allowed)}`,
    ) as T[] | null;
  const referred = (key: string, kind: "target" | "environment"): string[] | null => {
    const items = readStringList(ctx, {
      value: map[key],
      path: at(key),
      check: (item) =>
        kind === "environment" || TARGET_NAME.test(item) ? null : `\`${item}\` is not a target name`,
    });
    for (const { item, path: itemPath } of items ?? []) refer(ctx, { kind, name: item, path: itemPath });
    return items?.map((i) => i.item) ?? null;
  };

  if (map.target !== undefined) when.target = keep(referred("target", "target"));
  if (map.environment !== undefined) when.environment = keep(referred("environment", "environment"));
  if (map.class !== undefined) when.class = keep(choices<StatementClass>("class", STATEMENT_CLASSES));
  if (map.operation !== undefined) when.operation = keep(choices("operation", OBJECT_OPERATIONS));
  if (map.objects !== undefined) {
    when.objects = keep(readPatterns(ctx, { value: map.objects, path: at("objects"), level: "table" }));
  }
  if (map.columns !== undefined) {
    when.columns = keep(readPatterns(ctx, { value: map.columns, path: at("columns"), level: "column" }));
  }
  if (map.flags !== undefined) when.flags = keep(choices("flags", STATEMENT_FLAGS));
  if (map.findings !== undefined) when.findings = keep(choices("findings", REVIEW_RULE_IDS));
  if (map.estimated_rows !== undefined) {
    when.estimatedRows = keep(readRange(ctx, { value: map.estimated_rows, path: at("estimated_rows") }));
  }
  if (map.params !== undefined)
    when.params = keep(readParams(ctx, { value: map.params, path: at("params") }));
  if (map.actor !== undefined) when.actor = keep(choices("actor", ACTORS));
  if (map.labels !== undefined) when.labels = keep(names("labels"));
  if (map.action !== undefined) when.action = keep(names("action"));
  if (map.time !== undefined) when.time = keep(readTimeWindow(ctx, { value: map.time, path: at("time") }));
  return ok ? when : null;
}

/** Globs over `target/schema.table[.column]` (owners, `objects`, `columns`); literal targets must exist. */
export function readPatterns(
  ctx: ReadContext,
  { value, path, level }: { value: unknown; path: KeyPath; level: PatternLevel },
): string[] | null {
  const items = readStringList(ctx, {
    value,
    path,
    check: (item) => {
      const checked = checkTargetPattern(item, level);
      return checked.ok ? null : checked.error;
    },
  });
  if (!items) return null;
  for (const { item, path: itemPath } of items) {
    const checked = checkTargetPattern(item, level);
    if (checked.ok && checked.target !== null)
      refer(ctx, { kind: "target", name: checked.target, path: itemPath });
  }
  return items.map((i) => i.item);
}

/** `{ gt, gte, lt, lte }`: at least one bound, and bounds that leave some number in between. */
export function readRange(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): NumberRange | null {
  const map = readMapping(ctx, {
    value,
    path,
    expected: "a range like `{ gt: 1000 }` or `{ gte: 1, lt: 100 }`",
  });
  if (!map) return null;
  return readBounds(ctx, { map, path, known: RANGE_KEYS });
}

function readBounds(
  ctx: ReadContext,
  { map, path, known }: { map: Record<string, unknown>; path: KeyPath; known: readonly string[] },
): NumberRange | null {
  let ok = checkKeys(ctx, { map, path, known });
  const range: NumberRange = {};
  for (const key of RANGE_KEYS) {
    const bound = map[key];
    if (bound === undefined) continue;
    if (typeof bound === "number" && Number.isFinite(bound)) range[key] = bound;
    else {
      ok = false;
      report(ctx, [...path, key], `${quoted([...path, key])} must be a number — got ${describe(bound)}`);
    }
  }
  if (!ok) return null;
  if (Object.keys(range).length === 0) {
    report(ctx, path, `${quoted(path)} needs a bound: gt, gte, lt or lte`);
    return null;
  }
  const low = Math.max(range.gt ?? Number.NEGATIVE_INFINITY, range.gte ?? Number.NEGATIVE_INFINITY);
  const high = Math.min(range.lt ?? Number.POSITIVE_INFINITY, range.lte ?? Number.POSITIVE_INFINITY);
  const lowOpen = range.gt !== undefined && range.gt === low;
  const highOpen = range.lt !== undefined && range.lt === high;
  if (low > high || (low === high && (lowOpen || highOpen))) {
    report(ctx, path, `${quoted(path)} matches no number: its lower bound is above its upper bound`);
    return null;
  }
  return range;
}

function readParams(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): NonNullable<WhenConditions["params"]> | null {
  const map = readMapping(ctx, {
    value,
    path,
    expected: "a mapping of parameter name → `{ in: [values] }` or a range `{ gt, gte, lt, lte }`",
  });
  if (!map) return null;
  let ok = true;
  const params: NonNullable<WhenConditions["params"]> = {};
  for (const [name, raw] of Object.entries(map)) {
    const paramPath = [...path, name];
    if (!PARAM_NAME.test(name)) {
      ok = false;
      report(ctx, paramPath, `\`${name}\` is not a parameter name (a letter, then letters, digits, '_')`);
      continue;
    }
    const condition = readMapping(ctx, {
      value: raw,
      path: paramPath,
      expected: "`{ in: [values] }` or a range `{ gt, gte, lt, lte }`",
    });
    if (!condition) {
      ok = false;
      continue;
    }
    const entry: { in?: Array<string | number | boolean>; range?: NumberRange } = {};
    if (condition.in !== undefined) {
      const items = readScalarList(ctx, { value: condition.in, path: [...paramPath, "in"] });
      if (items) entry.in = items.map((i) => i.item);
      else ok = false;
    }
    const { in: _values, ...bounds } = condition;
    if (Object.keys(bounds).length > 0) {
      const range = readBounds(ctx, { map: bounds, path: paramPath, known: PARAM_KEYS });
      if (range) entry.range = range;
      else ok = false;
    } else if (condition.in === undefined) {
      ok = false;
      report(ctx, paramPath, `${quoted(paramPath)} needs \`in: [values]\` or a bound (gt, gte, lt, lte)`);
    }
    params[name] = entry;
  }
  if (ok && Object.keys(params).length === 0) {
    report(ctx, path, `${quoted(path)} is empty: name at least one parameter, or remove it`);
    return null;
  }
  return ok ? params : null;
}

/** `{ weekdays, hours: "HH:MM-HH:MM", timezone }`: hours may wrap midnight; the end is exclusive. */
export function readTimeWindow(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): TimeWindow | null {
  const map = readMapping(ctx, {
    value,
    path,
    expected: '`{ weekdays: [mon, …], hours: "09:00-17:00", timezone: Europe/Paris }`',
  });
  if (!map) return null;
  let ok = checkKeys(ctx, { map, path, known: TIME_KEYS });
  if (map.weekdays === undefined && map.hours === undefined) {
    report(ctx, path, `${quoted(path)} needs \`weekdays\` or \`hours\``);
    return null;
  }
  const window: TimeWindow = { timezone: DEFAULT_TIMEZONE };
  if (map.weekdays !== undefined) {
    const items = readStringList(ctx, {
      value: map.weekdays,
      path: [...path, "weekdays"],
      check: (day) =>
        WEEKDAYS.includes(day)
          ? null
          : `\`${day}\` is not a weekday: use ${WEEKDAYS.join(", ")}${didYouMean(day, WEEKDAYS)}`,
    });
    if (items) window.weekdays = items.map((i) => i.item);
    else ok = false;
  }
  if (map.hours !== undefined) {
    const hoursPath = [...path, "hours"];
    const problem = checkHours(map.hours);
    if (problem) {
      ok = false;
      report(ctx, hoursPath, `${quoted(hoursPath)} ${problem} — got ${describe(map.hours)}`);
    } else window.hours = map.hours as string;
  }
  if (map.timezone !== undefined) {
    const zonePath = [...path, "timezone"];
    const zone = readString(ctx, { value: map.timezone, path: zonePath });
    if (zone === null) ok = false;
    else if (!isTimeZone(zone)) {
      ok = false;
      report(
        ctx,
        zonePath,
        `${quoted(zonePath)} \`${zone}\` is not an IANA time zone (e.g. UTC, Europe/Paris, America/New_York)`,
      );
    } else window.timezone = zone;
  }
  return ok ? window : null;
}

function checkHours(value: unknown): string | null {
  const format = 'must be "HH:MM-HH:MM" (24-hour, end exclusive, may wrap midnight: "22:00-06:00")';
  if (typeof value !== "string") return format;
  const match = HOURS.exec(value);
  if (!match) return format;
  const [start, end] = [minutes(match[1], match[2]), minutes(match[3], match[4])];
  if (start === null || end === null || start >= MINUTES_PER_DAY)
    return `${format}; hours run 00-23 (24:00 only as an end), minutes 00-59`;
  if (start === end % MINUTES_PER_DAY) {
    return "starts where it ends: give a window, or remove `hours` to match the whole day";
  }
  return null;
}

function minutes(hours: string | undefined, mins: string | undefined): number | null {
  const h = Number(hours);
  const m = Number(mins);
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return null;
  return h * 60 + m;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
