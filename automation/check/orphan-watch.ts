/**
 * A check worker must not outlive its coordinator, even when the coordinator was killed with
 * SIGKILL (no exit handler runs) and the checked program keeps the worker's own thread busy in a
 * loop (no IPC "disconnect" event is ever handled). A small thread watches the parent process id
 * and, once the worker is orphaned, kills the worker's whole process group.
 */
import { Worker } from "worker_threads";

const WATCH = `
const { workerData } = require("worker_threads");
setInterval(() => {
  if (process.ppid === workerData.ppid) return;
  try { process.kill(-workerData.pid, "SIGKILL"); } catch {}
  process.kill(workerData.pid, "SIGKILL");
}, workerData.everyMs);
`;

/** Starts the watch; it never keeps the process alive on its own. */
export function exitWithParent(everyMs = 250): void {
  const watcher = new Worker(WATCH, {
    eval: true,
    workerData: { ppid: process.ppid, pid: process.pid, everyMs },
    stdout: false,
    stderr: false,
  });
  watcher.unref();
}
