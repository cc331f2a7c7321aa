import type { SimState } from "../state/sim-state.js";

export interface SimUrls {
  /** REST root, e.g. http://127.0.0.1:PORT/api/v3 */
  api: string;
  /** Stands in for https://github.com */
  web: string;
}

export interface ShapeContext {
  state: SimState;
  urls: SimUrls;
}

/** GitHub's legacy global node ids: base64 of "<len>:<Type><id>". */
export function nodeId(type: string, id: number | string): string {
  const body = `${type}${id}`;
  return Buffer.from(`0${body.length}:${body}`).toString("base64");
}
