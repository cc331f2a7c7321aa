import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { ProbotOctokit } from "probot";
import type { Simulator } from "../../src/simulator/index.js";

/** Probot's Octokit without retries or throttling, so a test sees every answer as it comes. */
export const TestOctokit = ProbotOctokit.defaults({
  retry: { enabled: false },
  throttle: { enabled: false },
});

/** The app's installation client against the simulator, authenticated exactly as Probot does. */
export function installationOctokit(sim: Simulator): InstanceType<typeof TestOctokit> {
  return new TestOctokit({
    auth: { appId: sim.appId, privateKey: sim.appPrivateKey, installationId: sim.installationId },
    baseUrl: sim.apiBaseUrl,
  });
}

/** A logger that says nothing, for Octokit's `log`. */
export const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The HTTP status a request answered with: 200 when it resolved, the error's status (or -1) when not. */
export async function httpStatus(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

export interface ReceivedWebhook<P = Record<string, unknown>> {
  headers: IncomingHttpHeaders;
  body: string;
  payload: P;
}

export interface WebhookReceiver<P = Record<string, unknown>> {
  url: string;
  received: ReceivedWebhook<P>[];
  close: () => Promise<void>;
}

/** A local HTTP endpoint that records every webhook delivered to it and answers `status`. */
export async function startWebhookReceiver<P = Record<string, unknown>>(
  status = 200,
): Promise<WebhookReceiver<P>> {
  const received: ReceivedWebhook<P>[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push({ headers: req.headers, body, payload: JSON.parse(body) as P });
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(status < 300 ? "ok" : "nope");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url, received, close };
}
