import type { IncomingMessage } from "node:http";
import { ApiError } from "./api-error.js";
import { API_MAX_BODY_BYTES, API_MAX_DRAIN_BYTES } from "./api-limits.js";

/** Reads a JSON object body within `maxBytes`; 413 past it, 400 for anything but a JSON object. */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes = API_MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json")
    throw new ApiError(
      400,
      "content-type",
      `send the body as JSON with content-type: application/json (got "${type}")`,
    );
  const bytes = await readBounded(req, maxBytes);
  if (bytes === null)
    throw new ApiError(413, "body", `the body is larger than ${maxBytes} bytes; send a shorter request`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new ApiError(
      400,
      "body",
      `the body is not valid JSON: ${error instanceof Error ? error.message : error}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new ApiError(400, "body", "the body must be a JSON object");
  return parsed as Record<string, unknown>;
}

/**
 * The body, or null when it is over `maxBytes`. An oversize body is read to its end and dropped (so the
 * client, still sending, gets the 413 rather than a reset connection) up to API_MAX_DRAIN_BYTES; past
 * that the connection is cut.
 */
function readBounded(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > API_MAX_DRAIN_BYTES) {
        req.removeAllListeners("data");
        req.socket.destroy();
        resolve(null);
      }
    });
    req.on("end", () => resolve(size > maxBytes ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Drops a body nobody will read (the call was refused first), cutting the connection past API_MAX_DRAIN_BYTES. */
export function discardBody(req: IncomingMessage): void {
  if (req.readableEnded || req.listenerCount("data") > 0) return;
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > API_MAX_DRAIN_BYTES) req.socket.destroy();
  });
  req.on("error", () => undefined);
}
