import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EmolabelError } from '../errors.js';
import type { RunLease, RunStore } from '../store/run-store.js';

/** How often a session renews its lease. @default 10 s */
export const LEASE_HEARTBEAT_MS = 10_000;
/** A lease not renewed for this long is taken over, whatever host holds it. @default 2 minutes */
export const LEASE_STALE_MS = 120_000;

/** The lease of a run this session holds. */
export interface HeldLease {
  /** Stops the heartbeat and lets go of the lease. */
  release(): void;
}

export interface RunLeaseOptions {
  /** Take the lease even from a holder that looks alive (the user knows it is gone). @default false */
  readonly takeOver?: boolean;
  /** @default {@link LEASE_STALE_MS} */
  readonly staleMs?: number;
  /** @default {@link LEASE_HEARTBEAT_MS} */
  readonly heartbeatMs?: number;
}

/** Whether a process with this id runs on this host (EPERM: it does, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Leases run `runId` to this session (process id, host, a heartbeat renewed on an unref'd timer),
 * so a second session on the same store refuses it instead of paying for the same items again. A
 * lease whose holder is gone is taken over: on this host when its process is no longer alive, from
 * any host when its heartbeat is older than `staleMs`. Throws `run_in_use` naming the holder.
 */
export function leaseRun(store: RunStore, runId: string, options: RunLeaseOptions = {}): HeldLease {
  const staleMs = options.staleMs ?? LEASE_STALE_MS;
  const host = hostname();
  const token = randomUUID();
  const gone = (lease: RunLease): boolean =>
    options.takeOver === true || Date.now() - Date.parse(lease.heartbeatAt) > staleMs || (lease.host === host && !isProcessAlive(lease.pid));
  const holder = store.acquireLease(runId, { token, pid: process.pid, host }, gone);
  if (holder) {
    throw new EmolabelError(
      'run_in_use',
      `Run ${runId} is being run by pid ${holder.pid} on host ${holder.host} since ${holder.startedAt} (last heartbeat ${holder.heartbeatAt}); ` +
        `wait for it to finish, or pass \`takeOver\` after it is gone (a lease whose process died on this host, or whose heartbeat is ${Math.round(staleMs / 1000)} s old, is taken over without it).`,
      { path: store.database.name },
    );
  }
  const heartbeat = setInterval(() => {
    // A lease another session took over (after `takeOver`) is not renewed; the run's own writes go on.
    // A store that refuses the write (disk full) is reported by the run's own next write, not here.
    try {
      if (!store.renewLease(runId, token)) clearInterval(heartbeat);
    } catch {
      // the next heartbeat tries again
    }
  }, options.heartbeatMs ?? LEASE_HEARTBEAT_MS);
  heartbeat.unref();
  return {
    release: () => {
      clearInterval(heartbeat);
      try {
        if (store.database.open) store.releaseLease(runId, token);
      } catch {
        // A store that refuses the delete leaves a lease that goes stale by itself (its process is gone).
      }
    },
  };
}
