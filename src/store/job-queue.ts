import { PgBoss } from "pg-boss";

export const JOB_SCHEMA = "querygate_jobs";
export const EXECUTE_QUEUE = "execute";
const JOB_QUEUE_STOP_TIMEOUT_MS = 30_000;
const APPLICATION_NAME = "querygate-jobs";

export interface JobQueue {
  boss: PgBoss;
  stop(): Promise<void>;
}

export interface StartJobQueueParams {
  connectionString: string;
  log?: (message: string) => void;
}

export async function startJobQueue(params: StartJobQueueParams): Promise<JobQueue> {
  const log = params.log ?? ((message: string) => console.error(message));
  const boss = new PgBoss({
    connectionString: params.connectionString,
    schema: JOB_SCHEMA,
    application_name: APPLICATION_NAME,
    // Workers wake when a job is created instead of polling every 2 s (polling stays as the backstop).
    useListenNotify: true,
  });
  // pg-boss is an EventEmitter: an "error" without a listener would crash the process.
  boss.on("error", (error) => log(`job queue error: ${error.message}`));
  await boss.start();
  try {
    await boss.createQueue(EXECUTE_QUEUE, { notify: true });
    // A queue created by an older version keeps its options: turn notify on there too.
    await boss.updateQueue(EXECUTE_QUEUE, { notify: true });
  } catch (error) {
    await boss.stop({ graceful: false });
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    boss,
    stop() {
      stopping ??= boss.stop({ graceful: true, timeout: JOB_QUEUE_STOP_TIMEOUT_MS });
      return stopping;
    },
  };
}
