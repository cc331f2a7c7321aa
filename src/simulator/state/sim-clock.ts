import { SIMULATED_EPOCH } from "../simulator-limits.js";

export interface SimClock {
  /** The current simulated time, ISO 8601 without milliseconds like GitHub's timestamps. */
  now(): string;
  /** Advances one second (one mutation) and returns the new time. */
  tick(): string;
}

const MS_PER_TICK = 1000;

export function createSimClock(start: string = SIMULATED_EPOCH): SimClock {
  let ms = Date.parse(start);
  if (Number.isNaN(ms)) throw new Error(`simulator clock: "${start}" is not an ISO 8601 time`);
  const format = () => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    now: format,
    tick() {
      ms += MS_PER_TICK;
      return format();
    },
  };
}
