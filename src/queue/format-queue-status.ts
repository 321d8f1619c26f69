import type { QueueStatus } from './queue-coordinator.js';

/** The queue's part of the progress line: `3 workers, 40 waiting, 16 active, 120 done, 0 failed`. */
export function formatQueueStatus(status: QueueStatus): string {
  const requeued = status.requeued > 0 ? `, ${status.requeued} requeued` : '';
  return `${status.workers} worker${status.workers === 1 ? '' : 's'}, ${status.waiting} waiting, ${status.active} active, ${status.done} done, ${status.failed} failed${requeued}`;
}
