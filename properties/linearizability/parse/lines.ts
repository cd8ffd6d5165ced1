/** Line splitting shared by the parsers: 1-based numbers, blank lines skipped. */
export interface SourceLine {
  readonly number: number;
  readonly text: string;
}

export function sourceLines(text: string): SourceLine[] {
  const lines: SourceLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed !== '') lines.push({ number: index + 1, text: trimmed });
  });
  return lines;
}

/** A line's short rendering for error messages. */
export function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
