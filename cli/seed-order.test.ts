import { describe, expect, it } from 'vitest';
import { SeedDealer, SeedReleaser } from './seed-order.js';
import type { SeedChunk } from './seed-order.js';

function drain(dealer: SeedDealer): SeedChunk[] {
  const chunks: SeedChunk[] = [];
  for (let chunk = dealer.take(); chunk !== null; chunk = dealer.take()) chunks.push(chunk);
  return chunks;
}

describe('SeedDealer', () => {
  it('deals every seed once, in chunks, lowest first', () => {
    expect(drain(new SeedDealer(5, 10, 4))).toEqual([{ from: 5, count: 4 }, { from: 9, count: 4 }, { from: 13, count: 2 }]);
  });

  it('deals seeds given back before new ones, in seed order, and deals a 1e12 batch without listing it', () => {
    const dealer = new SeedDealer(1, 1e12, 4);
    expect(dealer.take()).toEqual({ from: 1, count: 4 });
    dealer.giveBack(4, 1);
    dealer.giveBack(2, 1);
    dealer.giveBack(3, 0);
    expect([dealer.take(), dealer.take(), dealer.take()]).toEqual([{ from: 2, count: 1 }, { from: 4, count: 1 }, { from: 5, count: 4 }]);
  });
});

describe('SeedReleaser', () => {
  it('reports in seed order whatever order seeds finish in, and flushes the rest on a stop', () => {
    const reported: number[] = [];
    const releaser = new SeedReleaser<string>(10, (seed) => reported.push(seed));
    releaser.finished(11, 'b');
    releaser.finished(13, 'd');
    expect(reported).toEqual([]);
    releaser.finished(10, 'a');
    expect(reported).toEqual([10, 11]);
    expect(releaser.reportedUpTo).toBe(12);
    releaser.finished(15, 'f');
    releaser.finished(11, 'again'); // reported already
    releaser.finished(15, 'again'); // waiting already
    releaser.flush();
    expect(reported).toEqual([10, 11, 13, 15]);
  });
});
