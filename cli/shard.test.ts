import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { parseShardText, resolveShard, shardRange } from './shard.js';

describe('shard', () => {
  it('parses k/n and refuses anything else with one line', () => {
    expect(parseShardText('2/4', '--shard')).toEqual({ index: 2, count: 4, source: '--shard' });
    expect(parseShardText(' 1 / 1 ', '--shard')).toMatchObject({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/4/2', '-1/4', '1.5/4', '1/100001', '']) {
      expect(() => parseShardText(bad, '--shard'), bad).toThrow(UsageError);
    }
  });

  it('takes --shard first, then SEAWORTHY_SHARD, then JOB_COMPLETION_INDEX with a count', () => {
    const env = { SEAWORTHY_SHARD: '3/5', JOB_COMPLETION_INDEX: '0', SEAWORTHY_SHARD_COUNT: '2' };
    expect(resolveShard({ shard: '1/2' }, env)).toMatchObject({ index: 1, count: 2, source: '--shard' });
    expect(resolveShard({}, env)).toMatchObject({ index: 3, count: 5, source: 'SEAWORTHY_SHARD' });
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '3', SEAWORTHY_SHARD_COUNT: '4' })).toMatchObject({ index: 4, count: 4, source: 'JOB_COMPLETION_INDEX' });
    expect(resolveShard({ shardCount: 8 }, { JOB_COMPLETION_INDEX: '7' })).toMatchObject({ index: 8, count: 8 });
    expect(resolveShard({ shardCount: '8' }, { JOB_COMPLETION_INDEX: '0', SEAWORTHY_SHARD_COUNT: '2' })).toMatchObject({ index: 1, count: 8 });
  });

  it('shards nothing unless asked: JOB_COMPLETION_INDEX alone, or no variable at all', () => {
    expect(resolveShard({}, {})).toBeNull();
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '2' })).toBeNull();
    expect(resolveShard({}, { SEAWORTHY_SHARD: '' })).toBeNull();
  });

  it('refuses a count without an index, an index out of range, and --shard with --shard-count', () => {
    expect(() => resolveShard({ shardCount: 4 }, {})).toThrow(/needs JOB_COMPLETION_INDEX/);
    expect(() => resolveShard({}, { SEAWORTHY_SHARD_COUNT: '4', JOB_COMPLETION_INDEX: '4' })).toThrow(/from 0 to 3/);
    expect(() => resolveShard({}, { SEAWORTHY_SHARD_COUNT: '4', JOB_COMPLETION_INDEX: 'x' })).toThrow(UsageError);
    expect(() => resolveShard({ shardCount: 0 }, { JOB_COMPLETION_INDEX: '0' })).toThrow(/shard count/);
    expect(() => resolveShard({ shard: '1/2', shardCount: 2 }, {})).toThrow(/drop one/);
    expect(() => resolveShard({}, { SEAWORTHY_SHARD: '9/4' })).toThrow(/SEAWORTHY_SHARD expects/);
  });

  it('splits a range into contiguous blocks whose union is the range, each seed once', () => {
    for (const [seedStart, seeds, count] of [[1, 100, 4], [7, 10, 3], [0, 2, 5], [5, 1, 1], [0, 9_007_199_254_740_990, 7]] as const) {
      let next = seedStart;
      for (let index = 1; index <= count; index++) {
        const r = shardRange({ seedStart, seeds }, { index, count, source: 'test' });
        expect(r.seedStart).toBe(next);
        expect(r.seeds).toBeGreaterThanOrEqual(Math.floor(seeds / count));
        expect(r.seeds).toBeLessThanOrEqual(Math.ceil(seeds / count));
        expect(Number.isSafeInteger(r.seedStart + r.seeds)).toBe(true);
        next = r.seedStart + r.seeds;
      }
      expect(next).toBe(seedStart + seeds);
    }
  });
});
