/** The public Porcupine corpus: every verdict in expected.tsv, decided and explained. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeExplanation } from './explain.js';
import { checkParsed, parseHistory } from './parse/index.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/porcupine');

const expected = readFileSync(join(DATA, 'expected.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const [file, verdict] = line.split('\t');
    return { file: file as string, linearizable: verdict === 'linearizable' };
  });

describe('Porcupine corpus', () => {
  it('lists the 102 etcd logs and the six kv histories', () => {
    expect(expected.filter((e) => e.file.startsWith('jepsen/'))).toHaveLength(102);
    expect(expected.filter((e) => e.file.startsWith('kv/')).map((e) => e.file).sort()).toEqual(
      ['c01-bad', 'c01-ok', 'c10-bad', 'c10-ok', 'c50-bad', 'c50-ok'].map((name) => `kv/${name}.txt`),
    );
  });

  it.each(expected)('$file', ({ file, linearizable }) => {
    const history = parseHistory(readFileSync(join(DATA, file), 'utf8'));
    expect(history.format).toBe(file.startsWith('kv/') ? 'porcupine-kv' : 'jepsen-etcd');
    const result = checkParsed(history);
    expect(result.verdict).toBe(linearizable ? 'linearizable' : 'not-linearizable');
    if (file.startsWith('kv/')) expect(result.verdict === 'linearizable').toBe(file.endsWith('-ok.txt'));
    if (!linearizable) {
      const explanation = result.explanation;
      expect(explanation).toBeDefined();
      if (explanation === undefined) return;
      expect(explanation.positionName).toBe('line');
      expect(explanation.failing.ret).not.toBeNull();
      expect(describeExplanation(result).join('\n')).toContain('cannot linearize');
    } else {
      expect(result.explanation).toBeUndefined();
    }
  });

  it('the empty etcd log (no verdict upstream) has no operations', () => {
    const history = parseHistory(readFileSync(join(DATA, 'jepsen/etcd_095.log'), 'utf8'), 'jepsen-etcd');
    expect(checkParsed(history)).toMatchObject({ verdict: 'linearizable', ops: 0 });
  });
});
