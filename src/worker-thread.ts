/**
 * The worker role of `ROLE=all` (relay, delivery workers, SLA monitor, digest, Meta ingestion) in a thread
 * of its own, so their work never delays the API's event loop. The API thread starts it once the database
 * is open and supervises it (see `src/threads/supervise-worker-thread.ts`); both write one log stream and
 * stop as one process. This file is that thread's composition root: it starts the worker role as a
 * `ROLE=worker` process would and answers the parent's metrics requests.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from './config/load-config.ts';
import { chooseLogFormat } from './logging/choose-log-format.ts';
import { createLogger } from './logging/create-logger.ts';
import { createMetrics } from './metrics/create-metrics.ts';
import { startLeadline, type Leadline } from './main.ts';
import { CaptureLoad } from './shared/capture-load.ts';
import type { FromThread, ToThread } from './threads/supervise-worker-thread.ts';

export interface WorkerThreadData {
  /** The worker role's config (see `workerThreadConfig`). */
  config: Config;
  /** The API thread's load: requests in flight and whether it is overloaded (CaptureLoad's buffer). */
  captureLoad: SharedArrayBuffer;
}

/**
 * The worker thread's scheduling priority (a nice value; the API thread keeps 0). When the CPU is short, the
 * kernel gives the API thread the larger share, so a burst of captures is answered first and the workers
 * catch up once it passes; with CPU to spare the thread runs at full speed. Linux keeps a nice value per
 * thread; elsewhere setPriority would lower the whole process, so it is left alone.
 */
const WORKER_THREAD_NICE = 10;

/** The process-wide metrics (CPU, memory, file descriptors) are the API thread's to report: the same numbers. */
const PROCESS_WIDE_METRIC = /^process_/;

async function runWorkerThread(port: NonNullable<typeof parentPort>, data: WorkerThreadData): Promise<void> {
  const send = (message: FromThread) => port.postMessage(message);
  // The main thread decided the format (its stdout may be a terminal; this thread's never is).
  const logger = createLogger({ level: data.config.logLevel, format: chooseLogFormat(data.config.logFormat, false) }).child({
    thread: 'worker',
  });
  // The runtime metrics of this thread (event loop, heap, GC) carry thread="worker" beside the API thread's.
  const metrics = createMetrics({ defaultLabels: { thread: 'worker' } });
  if (process.platform === 'linux') {
    try {
      os.setPriority(WORKER_THREAD_NICE);
    } catch (error) {
      logger.warn({ err: error }, 'could not lower the worker thread priority; it competes with the API as an equal');
    }
  }
  let leadline: Leadline;
  try {
    leadline = await startLeadline(data.config, { logger, metrics, captureLoad: new CaptureLoad(data.captureLoad) });
  } catch (error) {
    send({ type: 'failed', message: (error as Error).message });
    logger.flush();
    process.exit(1);
  }
  let stopping: Promise<void> | undefined;
  port.on('message', (message: ToThread) => {
    if (message.type === 'request' && message.kind === 'metrics') {
      metrics.registry
        .getMetricsAsJSON()
        .then((all) =>
          send({ type: 'answer', requestId: message.requestId, value: all.filter((metric) => !PROCESS_WIDE_METRIC.test(metric.name)) }),
        )
        .catch((error: unknown) => logger.warn({ err: error }, 'could not collect the worker thread metrics'));
    } else if (message.type === 'stop') {
      stopping ??= leadline
        .stop()
        .catch((error: unknown) => logger.error({ err: error }, 'the worker thread did not stop cleanly'))
        .finally(() => {
          send({ type: 'stopped' });
          logger.flush();
          // Ends this thread only; a handle some library left open must not keep it alive.
          process.exit(0);
        });
    }
  });
  send({ type: 'ready' });
}

if (parentPort) {
  void runWorkerThread(parentPort, workerData as WorkerThreadData);
}
