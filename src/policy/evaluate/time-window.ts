import type { ConditionResult, TimeWindow } from "../policy-types.js";

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const MINUTES_PER_DAY = 24 * 60;
const HOURS_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;
const DEFAULT_TIMEZONE = "UTC";

export interface LocalTime {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  minutes: number;
}

export interface CompiledTimeWindow {
  window: TimeWindow;
  /** Why the window cannot be evaluated (bad zone or hours); the condition is then unknown. */
  problem: string | null;
  timezone: string;
  check(local: LocalTime): ConditionResult;
}

/**
 * Hours are `HH:MM-HH:MM`, end exclusive, and may wrap midnight: the hours after midnight then belong to the
 * window that opened the evening before, so `weekdays: [fri]` with `22:00-06:00` covers Friday 22:00 to
 * Saturday 06:00.
 */
export function compileTimeWindow(window: TimeWindow): CompiledTimeWindow {
  const timezone = window.timezone || DEFAULT_TIMEZONE;
  let problem: string | null = null;
  let start = 0;
  let end = MINUTES_PER_DAY;
  if (window.hours !== undefined) {
    const m = HOURS_PATTERN.exec(window.hours);
    if (!m) problem = `hours "${window.hours}" are not HH:MM-HH:MM`;
    else {
      start = Number(m[1]) * 60 + Number(m[2]);
      end = Number(m[3]) * 60 + Number(m[4]);
      if (end > MINUTES_PER_DAY) problem = `hours "${window.hours}" end after 24:00`;
    }
  }
  const days = new Set<number>();
  for (const day of window.weekdays ?? []) {
    const i = WEEKDAYS.indexOf(day.toLowerCase() as (typeof WEEKDAYS)[number]);
    if (i === -1) problem ??= `"${day}" is not a weekday (mon … sun)`;
    else days.add(i);
  }
  if (localTimeFormat(timezone) === null) problem ??= `"${timezone}" is not a known time zone`;
  const wraps = end < start;
  return {
    window,
    problem,
    timezone,
    check(local) {
      if (problem !== null) return "unknown";
      let openedOn = local.weekday;
      if (wraps) {
        if (local.minutes < end) openedOn = (local.weekday + 6) % 7;
        else if (local.minutes < start) return "no_match";
      } else if (local.minutes < start || local.minutes >= end) return "no_match";
      return window.weekdays === undefined || days.has(openedOn) ? "match" : "no_match";
    },
  };
}

const formats = new Map<string, Intl.DateTimeFormat | null>();

function localTimeFormat(timezone: string): Intl.DateTimeFormat | null {
  let format = formats.get(timezone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: timezone,
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
    } catch {
      format = null;
    }
    formats.set(timezone, format);
  }
  return format;
}

/** The weekday and minute of the day at `now` in the zone; null for an unknown zone. */
export function localTime(now: Date, timezone: string): LocalTime | null {
  const format = localTimeFormat(timezone || DEFAULT_TIMEZONE);
  if (format === null || Number.isNaN(now.getTime())) return null;
  let weekday = -1;
  let hour = -1;
  let minute = -1;
  for (const part of format.formatToParts(now)) {
    if (part.type === "weekday")
      weekday = WEEKDAYS.indexOf(part.value.toLowerCase() as (typeof WEEKDAYS)[number]);
    else if (part.type === "hour") hour = Number(part.value);
    else if (part.type === "minute") minute = Number(part.value);
  }
  if (weekday === -1 || hour === -1 || minute === -1) return null;
  return { weekday, minutes: hour * 60 + minute };
}

export function weekdayName(weekday: number): string {
  return WEEKDAYS[weekday] ?? "?";
}
