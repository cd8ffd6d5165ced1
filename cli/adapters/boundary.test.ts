import { describe, expect, it } from 'vitest';
import { ImplementationFault } from '../../sim/host.js';
import { callFault, deepFreeze, isThenable, promiseFault } from './boundary.js';
import { topUserFrame } from './user-frame.js';

describe('deepFreeze', () => {
  it('freezes every object and array below the value, through cycles, and leaves typed arrays alone', () => {
    const inner = { entries: [{ index: 1, term: 1, data: 'x' }] };
    const value: Record<string, unknown> = { messages: [inner], bytes: new Uint8Array(2) };
    value.self = value;
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(inner)).toBe(true);
    expect(Object.isFrozen(inner.entries)).toBe(true);
    expect(Object.isFrozen(inner.entries[0])).toBe(true);
    expect(Object.isFrozen(value.bytes)).toBe(false);
    expect(deepFreeze(null)).toBeNull();
    expect(deepFreeze(3)).toBe(3);
  });

  it('does not walk again below an object that is already frozen (the price of a cheap walk)', () => {
    const child = { term: 1 };
    deepFreeze({ shallow: Object.freeze({ child }) });
    expect(Object.isFrozen(child)).toBe(false);
  });
});

describe('callFault and promiseFault', () => {
  const frozenWrite = (): unknown => {
    try {
      const message = Object.freeze({ term: 1 });
      (message as { term: number }).term = 2;
    } catch (error) {
      return error;
    }
    return null;
  };

  it('names a write to a frozen object as a mutation of a returned value, once ready() has handed one out', () => {
    const error = frozenWrite();
    expect(callFault(3, 'tick', error, true).message).toMatch(/^mutated a value already returned from ready\(\) \(its own, or a message it received\), in tick\(\): Cannot assign to read only property 'term'/);
    // Before any Ready was handed out, the frozen object is the user's own: a plain throw.
    expect(callFault(3, 'tick', error, false).message).toMatch(/^threw in tick\(\): TypeError: Cannot assign to read only property 'term'/);
  });

  it('names the call, the message and the top frame of the user file; passes faults through', () => {
    const boom = Object.assign(new Error('boom'), { stack: 'Error: boom\n    at Node.step (/somewhere/else/impl.mjs:12:5)' });
    const fault = callFault(2, 'step', boom, false);
    expect(fault).toBeInstanceOf(ImplementationFault);
    expect(fault.node).toBe(2);
    expect(fault.message).toBe('threw in step(): boom (at Node.step (/somewhere/else/impl.mjs:12:5))');
    expect(callFault(2, 'tick', 'a string', false).message).toBe('threw in tick(): a string');
    const own = new ImplementationFault(2, 'already named');
    expect(callFault(2, 'tick', own, true)).toBe(own);
  });

  it('recognises thenables and names a Promise returned by create or a method', async () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable({ then: () => {} })).toBe(true);
    expect(isThenable({ tick: () => {} })).toBe(false);
    expect(isThenable(null)).toBe(false);
    expect(promiseFault(1, 'create', Promise.resolve({})).message).toMatch(/^create\(\) returned a Promise: create\(init\) must return the instance itself/);
    // A rejected Promise is caught, so it cannot surface later as an unhandled rejection.
    const rejected = Promise.reject(new Error('late'));
    expect(promiseFault(1, 'ready', rejected).message).toMatch(/^ready\(\) returned a Promise: the contract's methods are synchronous/);
    await new Promise((done) => setImmediate(done));
  });
});

describe('topUserFrame', () => {
  const withStack = (stack: string): Error => Object.assign(new Error('x'), { stack });
  const own = new URL('../../sim/host.ts', import.meta.url).pathname;

  it('skips Seaworthy and Node frames and shows the user file relative to the working directory', () => {
    const error = withStack(
      ['TypeError: x', '    at JSON.parse (<anonymous>)', '    at node:internal/x:1:1', '    at tick (file:///home/u/raft/impl.mjs:12:5)', `    at NodeHost.tick (${own}:180:7)`].join('\n'),
    );
    expect(topUserFrame(error, '/home/u')).toBe('tick (raft/impl.mjs:12:5)');
    expect(topUserFrame(error, '/elsewhere')).toBe('tick (/home/u/raft/impl.mjs:12:5)');
  });

  it('prefers the user file to a library under node_modules, and gives null without a user frame', () => {
    const error = withStack(['Error: x', '    at parse (/p/node_modules/lib/index.js:3:9)', '    at /p/impl.js:7:2'].join('\n'));
    expect(topUserFrame(error, '/p')).toBe('impl.js:7:2');
    expect(topUserFrame(withStack(['Error: x', `    at NodeHost.tick (${own}:180:7)`].join('\n')), '/p')).toBeNull();
    expect(topUserFrame('not an error', '/p')).toBeNull();
  });
});
