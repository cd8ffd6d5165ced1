/**
 * The body of the `--impl` load probe: loads and checks the module in this worker thread (its shape, and the
 * methods its membership capabilities promise, on a probe instance) and tells the main thread how it went. If the
 * module never finishes loading (a loop at its top level), this thread is the one that hangs, and the main thread
 * terminates it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { capabilityMethodProblem, loadModuleImplementation } from './module.js';

export interface ModuleLoadWorkerData {
  readonly path: string;
  readonly cwd: string;
}

export type ModuleLoadReply = { readonly ok: true } | { readonly ok: false; readonly message: string };

const { path, cwd } = workerData as ModuleLoadWorkerData;
let reply: ModuleLoadReply;
try {
  const problem = capabilityMethodProblem(path, await loadModuleImplementation(path, cwd));
  reply = problem === null ? { ok: true } : { ok: false, message: problem };
} catch (error) {
  reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
}
parentPort?.postMessage(reply);
