import { randomUUID } from "node:crypto";
import { type ClientRequest, request } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_MAX_BODY_BYTES } from "../../src/github/limits.js";
import {
  type ScenarioEnvironment,
  startScenarioEnvironment,
} from "../../src/sandbox/scenario-environment.js";
import { adminDatabaseUrl } from "../support/test-database.js";

const MiB = 1024 * 1024;
/** Every body is this one buffer written again and again, so the sender (this process too) holds 1 MiB. */
const CHUNK = Buffer.alloc(MiB, "a");
/** A well-formed signature that matches nothing: what anyone without the secret can send. */
const WRONG_SIGNATURE = `sha256=${"0".repeat(64)}`;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

interface Post {
  bytes: number;
  /** Content-Length declared (default), or chunked transfer encoding with no length. */
  chunked?: boolean;
  /** Send the headers only and wait for an answer, writing no byte of the body. */
  headersOnly?: boolean;
  signature?: string | null;
  /** Give up waiting for an answer after this long. */
  timeoutMs?: number;
}

interface Posted {
  status: number | null;
  body: string;
  /** Bytes of the body handed to the socket before the answer arrived. */
  writtenBeforeAnswer: number | null;
  /** The connection failed (the server cut it) after or instead of an answer. */
  error: string | null;
}

/**
 * POSTs a body of `bytes` to the app's webhook route like a sender that ignores the answer: it keeps
 * writing until the whole body is sent or the server cuts the connection.
 */
function post(url: string, p: Post): Promise<Posted> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": randomUUID(),
    };
    const signature = p.signature === undefined ? WRONG_SIGNATURE : p.signature;
    if (signature !== null) headers["x-hub-signature-256"] = signature;
    if (!p.chunked) headers["content-length"] = String(p.bytes);
    const req = request(url, { method: "POST", headers, agent: false });
    const result: Posted = { status: null, body: "", writtenBeforeAnswer: null, error: null };
    let written = 0;
    let writing = !p.headersOnly;
    let answered = false;
    const timer = setTimeout(() => finish(true), p.timeoutMs ?? 15_000);
    const finish = (timedOut = false) => {
      if (!timedOut && (writing || !answered)) return;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    req.on("response", (res) => {
      result.status = res.statusCode ?? null;
      result.writtenBeforeAnswer = written;
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        result.body += text;
      });
      const done = () => {
        answered = true;
        finish();
      };
      res.on("end", done);
      res.on("error", done);
    });
    req.on("error", (error) => {
      result.error = error.message;
      writing = false;
      answered = true;
      finish();
    });
    if (p.headersOnly) {
      req.flushHeaders();
      return;
    }
    void writeBody(req, p.bytes, (n) => {
      written += n;
    }).then(() => {
      writing = false;
      finish();
    });
  });
}

async function writeBody(req: ClientRequest, bytes: number, onWrite: (n: number) => void): Promise<void> {
  let left = bytes;
  while (left > 0 && !req.destroyed) {
    const n = Math.min(left, CHUNK.length);
    const flushed = req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
    onWrite(n);
    left -= n;
    if (!flushed)
      await new Promise<void>((resolve) => {
        const go = () => {
          req.off("drain", go);
          req.off("close", go);
          resolve();
        };
        req.on("drain", go);
        req.on("close", go);
      });
  }
  if (!req.destroyed) req.end();
}

/** What this process holds in memory: the V8 heap plus buffers outside it (where request bodies live). */
const held = () => {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

/** The largest growth of `held()` over its value before `work`, sampled every few milliseconds. */
async function peakGrowth(work: () => Promise<unknown>): Promise<{ peakMiB: number; rssPeakMiB: number }> {
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const base = held();
  const rssBase = process.memoryUsage.rss();
  let peak = base;
  let rssPeak = rssBase;
  const sample = () => {
    peak = Math.max(peak, held());
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 2);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  return { peakMiB: (peak - base) / MiB, rssPeakMiB: (rssPeak - rssBase) / MiB };
}

describe("webhook bodies over GitHub's 25 MiB cap", () => {
  let env: ScenarioEnvironment;

  beforeAll(async () => {
    env = await startScenarioEnvironment({
      owner: "acme",
      adminDatabaseUrl: adminDatabaseUrl(),
      logLevel: "fatal",
    });
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  it("lets a body of exactly the cap through to the signature check, which refuses a wrong one", async () => {
    const declared = await post(env.app.webhookUrl, { bytes: WEBHOOK_MAX_BODY_BYTES });
    expect(declared.status).toBe(400);
    expect(declared.body).toContain("signature does not match");

    const chunked = await post(env.app.webhookUrl, { bytes: WEBHOOK_MAX_BODY_BYTES, chunked: true });
    expect(chunked.status).toBe(400);
    expect(chunked.body).toContain("signature does not match");
  });

  it("answers 413 to a Content-Length over the cap without reading the body", async () => {
    const started = Date.now();
    const result = await post(env.app.webhookUrl, {
      bytes: WEBHOOK_MAX_BODY_BYTES + 1,
      headersOnly: true,
      timeoutMs: 5_000,
    });
    expect(result.status).toBe(413);
    expect(result.writtenBeforeAnswer).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.body).toContain(String(WEBHOOK_MAX_BODY_BYTES));
  });

  it("answers 413 to a chunked body as soon as it passes the cap", async () => {
    const result = await post(env.app.webhookUrl, { bytes: WEBHOOK_MAX_BODY_BYTES + 1, chunked: true });
    expect(result.status).toBe(413);
    expect(result.body).toContain(String(WEBHOOK_MAX_BODY_BYTES));
  });

  it("refuses an oversized body for its size whatever its headers say, a missing signature included", async () => {
    const result = await post(env.app.webhookUrl, {
      bytes: WEBHOOK_MAX_BODY_BYTES + 1,
      chunked: true,
      signature: null,
    });
    expect(result.status).toBe(413);
  });

  const OVERSIZED = 30 * MiB;
  const POSTS = 20;

  it("keeps memory flat under a stream of oversized chunked posts with wrong signatures", async () => {
    const statuses: Array<number | null> = [];
    // What stays alive after each post (garbage collected): flat when nothing of a refused body is kept.
    const retainedMiB: number[] = [];
    gc();
    const before = held();
    const { peakMiB, rssPeakMiB } = await peakGrowth(async () => {
      for (let i = 0; i < POSTS; i++) {
        statuses.push((await post(env.app.webhookUrl, { bytes: OVERSIZED, chunked: true })).status);
        gc();
        retainedMiB.push((held() - before) / MiB);
      }
    });
    const retained = Math.max(...retainedMiB);
    const summary = `${POSTS} × 30 MiB chunked, one at a time: peak growth ${peakMiB.toFixed(0)} MiB (rss ${rssPeakMiB.toFixed(0)} MiB), at most ${retained.toFixed(1)} MiB retained after a post, statuses ${statuses.join(",")}`;
    console.info(summary);
    // Past the cap plus WEBHOOK_MAX_DRAIN_BYTES the connection is cut, so a sender still writing may miss its 413
    // (null); none reaches the signature check (400).
    expect(
      statuses.every((s) => s === 413 || s === null),
      summary,
    ).toBe(true);
    expect(statuses, summary).toContain(413);
    // Nothing of a refused body outlives its post: one kept body alone would be 25 MiB.
    expect(retained, summary).toBeLessThan(16);
    // Each post is dropped at the cap (25 MiB), so the one in flight never holds more; the rest of the peak is
    // garbage V8 collects when it chooses (34–102 MiB seen). Before bodies were bounded this peaked near 300 MiB.
    expect(peakMiB, summary).toBeLessThan(200);
  });

  it("keeps memory flat under oversized posts with a Content-Length, all at once", async () => {
    const statuses: Array<number | null> = [];
    const { peakMiB, rssPeakMiB } = await peakGrowth(async () => {
      const results = await Promise.all(
        Array.from({ length: POSTS }, () => post(env.app.webhookUrl, { bytes: OVERSIZED })),
      );
      statuses.push(...results.map((r) => r.status));
    });
    const summary = `${POSTS} × 30 MiB with Content-Length, in parallel: peak growth ${peakMiB.toFixed(0)} MiB (rss ${rssPeakMiB.toFixed(0)} MiB), statuses ${statuses.join(",")}`;
    console.info(summary);
    expect(
      statuses.every((s) => s === 413),
      summary,
    ).toBe(true);
    // Nothing of these bodies is read. Before bodies were bounded this peaked above 400 MiB.
    expect(peakMiB, summary).toBeLessThan(100);
  });
});
