import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/** Messages a supervised thread sends to its parent. */
export type FromThread =
  { type: 'ready' } | { type: 'failed'; message: string } | { type: 'answer'; requestId: number; value: unknown } | { type: 'stopped' };

/** Messages the parent sends to a supervised thread. */
export type ToThread = { type: 'stop' } | { type: 'request'; requestId: number; kind: string };

/** A thread that dies is started again after this long, doubling per crash in a row up to the cap. */
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A thread that ran this long before it died counts as healthy again: the next restart waits the first delay. */
const HEALTHY_RUN_MS = 60_000;
/** How long a thread may take to start; one that never reports ready is ended and started again. */
const START_TIMEOUT_MS = 60_000;
/** How long a graceful stop may take before the thread is terminated. */
const STOP_TIMEOUT_MS = 8_000;
/** How long a request (a metrics scrape) waits for the thread's answer. */
const REQUEST_TIMEOUT_MS = 2_000;

export interface SupervisedThread {
  /** Whether the thread is up and has said it is ready. */
  isRunning(): boolean;
  /** Asks the running thread a question (`kind`); rejects when it is down or does not answer in time. */
  request(kind: string): Promise<unknown>;
  /** Asks the thread to finish its work and stop; terminates it when that takes too long. */
  stop(): Promise<void>;
}

/**
 * Runs `entry` in a worker thread of this process and keeps it running: a thread that crashes (an uncaught
 * error ends only the thread, never the process) is logged and started again with backoff. Resolves once
 * the first start reported ready, or rejects with the thread's own reason, so a bad configuration stops
 * start-up as it would in one thread.
 */
export async function superviseWorkerThread(options: {
  entry: URL;
  workerData: unknown;
  name: string;
  logger: Logger;
  /** V8 heap limits of the thread; a thread that runs out is ended and started again, never the process. */
  resourceLimits?: { maxYoungGenerationSizeMb?: number; maxOldGenerationSizeMb?: number };
}): Promise<SupervisedThread> {
  const { logger } = options;
  let worker: Worker | undefined;
  let running = false;
  let stopping = false;
  let restartDelayMs = FIRST_RESTART_DELAY_MS;
  let restartTimer: NodeJS.Timeout | undefined;
  let nextRequestId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  let exited: Promise<void> = Promise.resolve();

  const failPending = (reason: string) => {
    for (const [id, request] of pending) {
      clearTimeout(request.timer);
      request.reject(new Error(reason));
      pending.delete(id);
    }
  };

  const start = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const startedAt = Date.now();
      let settled = false;
      const thread = new Worker(options.entry, {
        workerData: options.workerData,
        name: options.name,
        ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
      });
      worker = thread;
      const startTimer = setTimeout(() => {
        logger.error(`the ${options.name} thread did not start within ${START_TIMEOUT_MS / 1000} s; ending it`);
        void thread.terminate();
      }, START_TIMEOUT_MS);
      exited = new Promise<void>((resolveExit) => thread.once('exit', () => resolveExit()));

      thread.on('message', (message: FromThread) => {
        if (message.type === 'ready') {
          clearTimeout(startTimer);
          running = true;
          settled = true;
          resolve();
        } else if (message.type === 'failed') {
          clearTimeout(startTimer);
          if (!settled) {
            settled = true;
            reject(new Error(message.message));
          } else logger.error(`the ${options.name} thread failed: ${message.message}`);
        } else if (message.type === 'answer') {
          const request = pending.get(message.requestId);
          if (!request) return;
          clearTimeout(request.timer);
          pending.delete(message.requestId);
          request.resolve(message.value);
        }
      });
      thread.on('error', (error) => logger.error({ err: error }, `the ${options.name} thread crashed`));
      thread.once('exit', (code) => {
        clearTimeout(startTimer);
        running = false;
        if (worker === thread) worker = undefined;
        failPending(`the ${options.name} thread stopped`);
        if (stopping) return;
        if (!settled) {
          settled = true;
          reject(new Error(`the ${options.name} thread exited (code ${code}) before it was ready; see the log above`));
          return;
        }
        if (Date.now() - startedAt > HEALTHY_RUN_MS) restartDelayMs = FIRST_RESTART_DELAY_MS;
        logger.error(`the ${options.name} thread stopped (code ${code}); starting it again in ${restartDelayMs / 1000} s`);
        restartTimer = setTimeout(() => {
          restartTimer = undefined;
          start().catch((error: unknown) => logger.error({ err: error }, `the ${options.name} thread could not start again`));
        }, restartDelayMs);
        restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS);
      });
    });

  await start();

  return {
    isRunning: () => running,
    request(kind) {
      const thread = worker;
      if (!thread || !running) return Promise.reject(new Error(`the ${options.name} thread is not running`));
      const requestId = nextRequestId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          reject(new Error(`the ${options.name} thread did not answer within ${REQUEST_TIMEOUT_MS} ms`));
        }, REQUEST_TIMEOUT_MS);
        pending.set(requestId, { resolve, reject, timer });
        thread.postMessage({ type: 'request', requestId, kind } satisfies ToThread);
      });
    },
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const thread = worker;
      if (!thread) return;
      thread.postMessage({ type: 'stop' } satisfies ToThread);
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
      if ((await Promise.race([exited.then(() => 'exited' as const), timeout])) === 'timeout') {
        logger.warn(`the ${options.name} thread did not stop within ${STOP_TIMEOUT_MS / 1000} s; terminating it`);
        await thread.terminate();
      }
    },
  };
}
