import type { Context } from "probot";
import type { StateStore } from "../store/state-store.js";

/**
 * The one catch boundary for webhook work: a delivery is handled at most once (redeliveries are
 * acknowledged and ignored), work on one pull request is serialised across replicas, and a failure is
 * recorded so a redelivery may retry it.
 */
export async function handleDeliveryOnce(params: {
  context: Context;
  store: StateStore;
  repo: string;
  /** Every pull request the delivery concerns; each is worked on under its own lock, in order. */
  pullNumbers: number[];
  work: (pullNumber: number) => Promise<void>;
}): Promise<void> {
  const { context, store, repo, pullNumbers, work } = params;
  const action = (context.payload as { action?: string }).action ?? null;
  const claim = await store.beginDelivery({ id: context.id, event: context.name, action });
  if (claim === "duplicate") {
    context.log.info({ delivery: context.id }, "delivery already handled; ignoring the redelivery");
    return;
  }
  try {
    for (const pullNumber of pullNumbers) {
      await store.withPullRequestLock({ repo, pullNumber }, () => work(pullNumber));
    }
    await store.finishDelivery(context.id, { ok: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await store.finishDelivery(context.id, { ok: false, error: message });
    throw error;
  }
}
