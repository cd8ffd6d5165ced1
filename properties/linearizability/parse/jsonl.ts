/** The native `jsonl` format: one {@link HistoryEvent} JSON object per line, in real-time order. */
import { HistoryError } from '../history.js';
import type { HistoryEvent, Operation } from '../history.js';
import type { RegisterInput, RegisterOutput } from '../models/register-map.js';
import { pairNativeEvents, validateEvent } from '../native.js';
import { sourceLines } from './lines.js';

/** Parses the events, validating each line's shape; throws {@link HistoryError} naming the line. */
export function parseJsonlEvents(text: string): { events: HistoryEvent[]; lines: number[] } {
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  for (const line of sourceLines(text)) {
    let raw: unknown;
    try {
      raw = JSON.parse(line.text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HistoryError(line.number, `expected a JSON object, got invalid JSON (${reason})`);
    }
    events.push(validateEvent(raw, line.number));
    lines.push(line.number);
  }
  return { events, lines };
}

/** Parses and pairs a native history; positions in the operations are line numbers. */
export function parseJsonl(text: string): Operation<RegisterInput, RegisterOutput>[] {
  const { events, lines } = parseJsonlEvents(text);
  return pairNativeEvents(events, lines);
}
