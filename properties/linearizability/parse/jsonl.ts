/** The native `jsonl` format: one {@link HistoryEvent} JSON object per line, in real-time order. */
import { HistoryError } from '../history.js';
import type { Operation } from '../history.js';
import type { RegisterInput, RegisterOutput } from '../models/register-map.js';
import { pairNativeEvents } from '../native.js';
import { sourceLines } from './lines.js';

function decodeLine(raw: unknown, line: number): unknown {
  try {
    return JSON.parse(String(raw));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HistoryError(line, `expected a JSON object, got invalid JSON (${reason})`);
  }
}

/**
 * Parses and pairs a native history; positions in the operations are line numbers. Throws
 * {@link HistoryError} naming the first bad line.
 */
export function parseJsonl(text: string): Operation<RegisterInput, RegisterOutput>[] {
  const lines = sourceLines(text);
  return pairNativeEvents(
    lines.map((line) => line.text),
    lines.map((line) => line.number),
    decodeLine,
  );
}
