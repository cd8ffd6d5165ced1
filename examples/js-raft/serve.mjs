#!/usr/bin/env node
// Serves a JavaScript implementation (a module exporting a RaftImplementation, as `--impl` takes) over the process
// protocol (docs/protocol.md), one node per process, so the same code can be run both ways:
//
//   seaworthy run --impl-cmd "node examples/js-raft/serve.mjs examples/js-raft/membership.js"
//
// It speaks the compact form (protocol 2: replies to inputs carry the next Ready) unless given --protocol 1, and
// with --transcript FILE appends every request (`> `) and reply (`< `) to FILE, each line after its node's id
// (the host drives one request at a time, so the order is the run's), which is how the transcript in
// docs/contract.md was recorded. Randomness comes from the create request's `seed` (mulberry32), so a seed
// replays, but draws differ from `--impl`, where the host hands the node its own stream.
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const modulePath = args.find((a, i) => !a.startsWith('--') && !['--protocol', '--transcript'].includes(args[i - 1])) ?? new URL('./index.js', import.meta.url).pathname;
const protocol = Number(flag('--protocol') ?? '2');
const transcript = flag('--transcript');
const loaded = await import(pathToFileURL(resolve(modulePath)).href);
const implementation = loaded.default ?? loaded.implementation;

/** Requests whose reply carries the next Ready in the compact form. */
const CARRY_READY = new Set(['create', 'tick', 'step', 'propose', 'advance']);
let node = null;
let nodeId = 0;

/** mulberry32, seeded from `create`'s seed: the node's only randomness. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function answer(request) {
  switch (request.type) {
    case 'create': {
      const { id, peers, storage, seed, electionTicks, heartbeatTicks, applied } = request;
      nodeId = id;
      node = implementation.create({ id, peers, storage, random: random(seed), seed, electionTicks, heartbeatTicks, ...(applied === undefined ? {} : { applied }) });
      return {
        type: 'created',
        name: implementation.name,
        capabilities: implementation.capabilities ?? [],
        ...(protocol === 2 ? { protocol: 2 } : {}),
        ...(implementation.messageAnnotations === undefined ? {} : { messageAnnotations: implementation.messageAnnotations }),
        ...(implementation.contract === undefined ? {} : { contract: implementation.contract }),
      };
    }
    case 'tick':
      node.tick();
      return { type: 'ok' };
    case 'step':
      node.step(request.message);
      return { type: 'ok' };
    case 'propose':
      return { type: 'proposed', ...node.propose(request.data) };
    case 'ready':
      return { type: 'ready', ready: node.ready() ?? null };
    case 'advance':
      node.advance();
      return { type: 'ok' };
    case 'status':
      return { type: 'status', status: node.status() };
    case 'read-index':
      return { type: 'read-index', accepted: node.readIndex(request.requestId) };
    case 'compact':
      node.compact(request.snapshot);
      return { type: 'ok' };
    case 'propose-conf-change':
      return { type: 'proposed', ...node.proposeConfChange(request.request) };
    case 'transfer-leadership':
      return { type: 'transfer-leadership', accepted: node.transferLeadership(request.target) };
    default:
      return { type: 'error', message: `unknown request type ${JSON.stringify(request.type)}` };
  }
}

function handle(line) {
  const request = JSON.parse(line);
  let reply;
  try {
    reply = answer(request);
    if (protocol === 2 && CARRY_READY.has(request.type)) reply.ready = node.ready() ?? null;
  } catch (error) {
    // An AssertionError is the implementation checking itself (docs/protocol.md); anything else is a failure.
    reply = { type: 'error', ...(error?.name === 'AssertionError' ? { kind: 'assertion' } : {}), message: String(error?.message ?? error) };
  }
  const text = JSON.stringify(reply);
  // Every node's process appends to the one file; the host drives one request at a time, so the file's order is
  // the run's order. Each line names its node.
  if (transcript !== undefined) appendFileSync(transcript, `[${request.id ?? nodeId}] > ${line}\n[${request.id ?? nodeId}] < ${text}\n`);
  return text;
}

createInterface({ input: process.stdin })
  .on('line', (line) => process.stdout.write(`${handle(line)}\n`))
  .on('close', () => process.exit(0));
