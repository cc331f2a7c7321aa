import type { IncomingMessage, ServerResponse } from "node:http";
import { WEBHOOK_MAX_BODY_BYTES, WEBHOOK_MAX_DRAIN_BYTES } from "./github/limits.js";

/** The decoder @octokit/webhooks itself reads a stream with, so the signature is checked over the same text. */
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Reads a request's body within GitHub's cap on a webhook payload and leaves it as text in `req.body` (Probot
 * declares it on IncomingMessage), where Probot's middleware takes it instead of reading the stream, which it
 * would buffer whole whatever its size. A body over the cap gets 413 and is never buffered past it: at once
 * when its Content-Length says so (nothing of it is kept; the connection is closed after the answer), or as
 * soon as a body without one passes the cap (what came is dropped; the rest is read and dropped up to
 * WEBHOOK_MAX_DRAIN_BYTES so a sender still writing sees the 413, then the connection is cut).
 * Resolves true when the body waits in `req.body`, false when the request has been answered or its sender left.
 */
export function readWebhookBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes = WEBHOOK_MAX_BODY_BYTES,
): Promise<boolean> {
  if (Number(req.headers["content-length"]) > maxBytes) {
    refuse(res, maxBytes, { close: true });
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (read: boolean) => {
      if (settled) return;
      settled = true;
      resolve(read);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (!settled) {
        chunks = [];
        // No `connection: close`: Node would close at once and the sender, still writing, might miss the 413.
        refuse(res, maxBytes, { close: false });
        settle(false);
      } else if (size > maxBytes + WEBHOOK_MAX_DRAIN_BYTES) req.socket.destroy();
    });
    req.on("end", () => {
      if (settled) return;
      req.body = decoder.decode(Buffer.concat(chunks, size));
      chunks = [];
      settle(true);
    });
    req.on("error", () => settle(false));
    req.on("close", () => settle(false));
  });
}

function refuse(res: ServerResponse, maxBytes: number, { close }: { close: boolean }): void {
  res.writeHead(413, { "content-type": "application/json", ...(close ? { connection: "close" } : {}) });
  res.end(
    JSON.stringify({
      error: `the body is larger than ${maxBytes} bytes, GitHub's cap on a webhook payload, so it is no delivery from GitHub`,
    }),
  );
}
