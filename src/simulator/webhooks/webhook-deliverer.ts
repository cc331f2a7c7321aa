import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { WEBHOOK_TIMEOUT_MS } from "../simulator-limits.js";
import type { WebhookEvent } from "./build-webhook-payloads.js";

export interface DeliveryRecord {
  id: string;
  event: string;
  action: string | null;
  /** The app's HTTP status; 0 when it never answered (connection refused, timeout). */
  status: number;
  ms: number;
  /** The URL that received this attempt; only set when delivering to several targets (setTargets). */
  target?: string;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface FanOutOptions {
  /**
   * How many of the targets receive each delivery (default 1): the same signed body under the same delivery
   * id, posted to all of them at once, as when a load balancer or a retrying sender reaches several replicas.
   */
  fanOut?: number;
}

export interface RawDelivery {
  event: string;
  payload: unknown;
  /** undefined: the correct signature; null: the header is left out; a string: sent as is. */
  signature?: string | null;
  deliveryId?: string;
}

export interface WebhookDeliverer {
  readonly deliveries: ReadonlyArray<DeliveryRecord>;
  setTarget(url: string, secret: string): void;
  /**
   * Several receivers (replicas of the app): each delivery goes to `fanOut` of them, chosen round-robin
   * (delivery n to targets n, n+1, … modulo the count), concurrently; each attempt is recorded.
   */
  setTargets(targets: ReadonlyArray<WebhookTarget>, options?: FanOutOptions): void;
  /** Validates, then delivers after every earlier delivery finished; resolves once the app answered. */
  send(event: WebhookEvent): Promise<void>;
  redeliver(last: number): Promise<void>;
  deliverRaw(p: RawDelivery): Promise<{ status: number; body: string }>;
  /** A copy of the newest validated payload built for `event`, whether or not a target received it. */
  lastPayload(event: string): unknown;
  idle(): Promise<void>;
}

interface Sent {
  id: string;
  event: string;
  action: string | null;
  body: string;
}

const USER_AGENT = "GitHub-Hookshot/querygate-sim";

export function createWebhookDeliverer(p: {
  appId: number;
  hookId: number;
  validate(event: string, payload: unknown): string[];
  recordViolation(violation: string): void;
}): WebhookDeliverer {
  let targets: WebhookTarget[] = [];
  let fanOut = 1;
  let multi = false;
  let cursor = 0;
  const deliveries: DeliveryRecord[] = [];
  const sent: Sent[] = [];
  const lastBuilt = new Map<string, string>();
  let tail: Promise<unknown> = Promise.resolve();

  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };

  /** Posts one delivery to the next `fanOut` targets at once; answers with the first target's response. */
  const post = async (delivery: Sent, signature: string | null | undefined) => {
    if (targets.length === 0)
      throw new Error("simulator: no webhook target; call setTarget(url, secret) first");
    const chosen = Array.from({ length: fanOut }, (_, i) => targets[(cursor + i) % targets.length]);
    cursor = (cursor + 1) % targets.length;
    const answers = await Promise.all(
      chosen.map((target) => postTo(target as WebhookTarget, delivery, signature)),
    );
    return answers[0] as { status: number; body: string };
  };

  const postTo = async (target: WebhookTarget, delivery: Sent, signature: string | null | undefined) => {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "User-Agent": USER_AGENT,
      "X-GitHub-Event": delivery.event,
      "X-GitHub-Delivery": delivery.id,
      "X-GitHub-Hook-ID": String(p.hookId),
      "X-GitHub-Hook-Installation-Target-Type": "integration",
      "X-GitHub-Hook-Installation-Target-ID": String(p.appId),
    };
    if (signature !== null)
      headers["X-Hub-Signature-256"] = signature ?? (await sign(target.secret, delivery.body));
    const started = performance.now();
    let status = 0;
    let text = "";
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers,
        body: delivery.body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      text = reason;
      process.stderr.write(
        `querygate simulator: delivery ${delivery.id} (${delivery.event}) to ${target.url} failed: ${reason}\n`,
      );
    }
    deliveries.push({
      id: delivery.id,
      event: delivery.event,
      action: delivery.action,
      status,
      ms: Math.round(performance.now() - started),
      ...(multi ? { target: target.url } : {}),
    });
    return { status, body: text };
  };

  return {
    deliveries,
    setTarget(url, secret) {
      targets = [{ url, secret }];
      fanOut = 1;
      multi = false;
      cursor = 0;
    },
    setTargets(list, options = {}) {
      const n = options.fanOut ?? 1;
      if (list.length === 0) throw new Error("simulator: setWebhookTargets needs at least one target");
      if (!Number.isInteger(n) || n < 1 || n > list.length) {
        throw new Error(
          `simulator: fanOut must be an integer from 1 to the number of targets (${list.length}), got ${n}`,
        );
      }
      targets = list.map(({ url, secret }) => ({ url, secret }));
      fanOut = n;
      multi = true;
      cursor = 0;
    },
    send({ event, payload }) {
      const action = typeof payload.action === "string" ? payload.action : null;
      const errors = p.validate(event, payload);
      if (errors.length > 0) {
        const violation = `webhook ${event}.${action ?? ""}: payload violates @octokit/webhooks-schemas: ${errors.join("; ")}`;
        p.recordViolation(violation);
        throw new Error(`querygate simulator bug: ${violation}`);
      }
      const body = JSON.stringify(payload);
      lastBuilt.set(event, body);
      if (targets.length === 0) return Promise.resolve();
      const delivery: Sent = { id: randomUUID(), event, action, body };
      sent.push(delivery);
      return enqueue(async () => {
        await post(delivery, undefined);
      });
    },
    redeliver(last) {
      const again = sent.slice(-last);
      if (last < 1 || again.length < last) {
        throw new Error(
          `simulator: cannot redeliver the last ${last} deliveries, only ${sent.length} were sent`,
        );
      }
      // GitHub's redelivery resends the same body under the same delivery id.
      return enqueue(async () => {
        for (const delivery of again) await post(delivery, undefined);
      });
    },
    deliverRaw(raw) {
      if (targets.length === 0)
        throw new Error(
          "simulator: deliverRaw needs a webhook target; call setWebhookTarget(url, secret) first",
        );
      const payload = raw.payload as { action?: unknown } | null;
      const delivery: Sent = {
        id: raw.deliveryId ?? randomUUID(),
        event: raw.event,
        action: typeof payload?.action === "string" ? payload.action : null,
        body: JSON.stringify(raw.payload),
      };
      sent.push(delivery);
      return enqueue(() => post(delivery, raw.signature));
    },
    lastPayload(event) {
      const body = lastBuilt.get(event);
      if (body === undefined) {
        const known = [...lastBuilt.keys()].join(", ") || "none yet";
        throw new Error(`simulator: no ${event} webhook payload has been built (events so far: ${known})`);
      }
      return JSON.parse(body);
    },
    async idle() {
      let seen: Promise<unknown> | undefined;
      while (seen !== tail) {
        seen = tail;
        await seen;
      }
    },
  };
}
