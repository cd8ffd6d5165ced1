/**
 * The process worker (cli/adapters/process-worker.js) at its message level: a 'take' that crosses the worker's
 * unasked offer of a spare must still be answered. The host sends 'take' when it holds no offered spare; if the
 * offer was posted after the host last looked, the host is blocked waiting for the answer and never says 'took'.
 * Before the fix the worker counted that offered spare as available, started nothing for the taker, and the host
 * gave up after 30 s ("the worker thread gave no answer to take"): seen as implementation errors under load.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { processGroupTable } from '../cli/adapters/process-groups.js';
import { repoRoot } from './cli-helpers.js';

interface Posted {
  readonly op?: string;
  readonly id?: number;
  readonly ok?: boolean;
  readonly pid?: number;
}

async function until<T>(read: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('process worker: take and offered spares', () => {
  it('answers a take sent while every spare it wants is offered to the host and not yet taken', async () => {
    const signal = new Int32Array(new SharedArrayBuffer(8 * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('../cli/adapters/process-worker.js', import.meta.url), {
      workerData: { signal: signal.buffer, replyPort: port2, command: 'python3 examples/python-raft/node.py --no-fork', cwd: repoRoot, groups: processGroupTable().buffer, sparesWanted: 1, epochMs: Date.now() },
      transferList: [port2],
    });
    const seen: Posted[] = [];
    const next = (): Posted | undefined => {
      const received = receiveMessageOnPort(port1) as { message: Posted } | undefined;
      if (received !== undefined) seen.push(received.message);
      return received?.message;
    };
    try {
      // The one spare it wants is started and offered, unasked.
      const offer = await until(() => (next()?.op === 'spare' ? seen[seen.length - 1] : undefined), 20_000);
      expect(offer?.ok).toBe(true);
      // The host had not seen that offer: it asks, and waits.
      worker.postMessage({ op: 'take', id: 7 });
      const answer = await until(() => (next()?.id === 7 ? seen[seen.length - 1] : undefined), 20_000);
      expect(answer).toMatchObject({ id: 7, ok: true });
      expect(answer?.pid).not.toBe(offer?.pid);
      for (const pid of [offer?.pid, answer?.pid]) worker.postMessage({ op: 'release', pid });
      worker.postMessage({ op: 'close', id: 8 });
      await until(() => (next()?.id === 8 ? true : undefined), 20_000);
    } finally {
      await worker.terminate();
      port1.close();
    }
  }, 60_000);
});
