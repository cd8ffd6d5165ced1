import { describe, expect, it } from 'vitest';
import { batchFlags, parseTimeBudget, resolveBatchRange, SEEDS_DEFAULT } from './batch-range.js';
import { UsageError } from './errors.js';

describe('batch range', () => {
  it('parses time budgets with units and refuses bare numbers, zero and typos', () => {
    expect(parseTimeBudget('90s')).toBe(90_000);
    expect(parseTimeBudget('10m')).toBe(600_000);
    expect(parseTimeBudget('1h30m')).toBe(5_400_000);
    expect(parseTimeBudget('1.5h')).toBe(5_400_000);
    expect(parseTimeBudget('250ms')).toBe(250);
    for (const bad of ['10', '0s', '-5m', 'soon', '', '30d', 10, true]) expect(() => parseTimeBudget(bad), String(bad)).toThrow(UsageError);
  });

  it('defaults to the 100 seeds run always had, and runs unbounded with a budget but no --seeds', () => {
    expect(resolveBatchRange({}, {}).range).toEqual({ seedStart: 1, seeds: SEEDS_DEFAULT });
    const budgeted = resolveBatchRange({ timeBudget: '1m', seedStart: '5' }, {});
    expect(budgeted.unbounded).toBe(true);
    expect(budgeted.range.seedStart + budgeted.range.seeds).toBe(Number.MAX_SAFE_INTEGER);
    expect(resolveBatchRange({ timeBudget: '1m', seeds: 7 }, {}).range).toEqual({ seedStart: 1, seeds: 7 });
  });

  it('draws the start for --seed-start random and names the flags that rerun the batch', () => {
    const b = resolveBatchRange({ seedStart: 'random', seeds: 40, shard: '2/4' }, {}, () => 1234);
    expect(b.seedStartDrawn).toBe(true);
    expect(b.batch).toEqual({ seedStart: 1234, seeds: 40 });
    expect(b.range).toEqual({ seedStart: 1244, seeds: 10 });
    expect(batchFlags(b)).toBe('--seed-start 1234 --seeds 40 --shard 2/4');
    expect(() => resolveBatchRange({ seedStart: 'later' }, {})).toThrow(UsageError);
    expect(() => resolveBatchRange({ seedStart: Number.MAX_SAFE_INTEGER, seeds: 2 }, {})).toThrow(/largest seed/);
  });

  it('takes the shard from the environment', () => {
    expect(resolveBatchRange({ seeds: 8 }, { SEAWORTHY_SHARD: '4/4' }).range).toEqual({ seedStart: 7, seeds: 2 });
    expect(resolveBatchRange({ seeds: 8 }, { JOB_COMPLETION_INDEX: '0', SEAWORTHY_SHARD_COUNT: '2' }).range).toEqual({ seedStart: 1, seeds: 4 });
  });
});
