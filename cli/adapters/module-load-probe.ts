/**
 * `--impl` modules are first loaded in a throwaway worker thread with a wall-clock bound, because the main
 * thread cannot stop its own `import()`: a module that loops at its top level would hang the CLI before
 * any seed (and so any call watchdog) starts. The probe also runs the shape checks, so a module that
 * throws or exports nothing useful is refused with the same one line as before.
 */
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import type { ModuleLoadReply, ModuleLoadWorkerData } from './module-load-worker-main.js';

/**
 * The least wall-clock ms a load gets, whatever `--impl-timeout` says: a load may compile TypeScript through
 * tsx and start a worker on a loaded machine, which is not an implementation that stopped (the same idea as
 * a process's start allowance in process.ts).
 */
export const MODULE_LOAD_MS_MIN = 10_000;

/**
 * Loads `path` in a worker thread and waits up to `timeoutMs` for it to finish loading and pass the shape
 * checks. Throws a UsageError naming the problem: the module's own load error, its shape problems, or a load
 * that did not finish in time (the worker is terminated).
 */
export async function probeModuleLoad(path: string, cwd: string, timeoutMs: number): Promise<void> {
  const data: ModuleLoadWorkerData = { path, cwd };
  const worker = new Worker(new URL('./module-load-worker.mjs', import.meta.url), { workerData: data });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const reply = await new Promise<ModuleLoadReply>((resolve, reject) => {
      timer = setTimeout(() => {
        reject(new UsageError(`--impl: ${path} did not finish loading within ${timeoutMs} ms (a loop or a blocking wait at the top level of the module?)`));
      }, timeoutMs);
      worker.once('message', (message: ModuleLoadReply) => resolve(message));
      worker.once('error', (error) => reject(new UsageError(`--impl: ${path} failed to load: ${error.message}`)));
      worker.once('exit', (code) => reject(new UsageError(`--impl: ${path} ended its thread while loading (exit code ${code}); a module must not call process.exit`)));
    });
    if (!reply.ok) throw new UsageError(reply.message);
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}
