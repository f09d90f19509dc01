// A cheap pass over the text that refuses files whose parse would take too long, before
// dockerfile-ast sees them. dockerfile-ast is quadratic in the flags of one instruction (every
// flag shifts the argument array once) and spends a few microseconds on every word, so a 1 MiB
// file of 100,000 flags blocks the event loop for half a minute.
//
// The whole file is skipped, not just the offending instruction: Docker would build such a file,
// but nobody maintains one by hand, and extracting around a hole would be wrong in subtle ways
// (a skipped FROM shifts the stage indexes that `COPY --from=1` counts; a skipped ARG changes
// what later references expand to). Masking one instruction would also need this approximate
// lexer to agree exactly with dockerfile-ast about where instructions and heredocs end, or the
// rest of the file would be read differently. A whole-file `too-large` is simple and never lies.
//
// The lexer is approximate on purpose (whitespace-separated words, Docker's continuation and
// heredoc rules without quoting): it only has to measure, and it errs towards larger counts.

import type { EscapeChar } from './directives.js';

/** One logical instruction: its lines joined, heredoc bodies included. */
export const MAX_INSTRUCTION_CHARS = 64 * 1024;
/** Flags (`--from=…`) of one instruction. Real ones have a handful. */
export const MAX_FLAGS = 256;
/**
 * Words in the whole file: what parsing costs (some 10-40 µs each for instructions we read).
 * The largest real Dockerfiles have a few thousand (the corpus at most 601).
 */
export const MAX_WORDS = 20_000;
/** Lines in the whole file, comments and blank lines included (each is a parser object). */
export const MAX_LINES = 50_000;

export interface LimitExceeded {
  /** 1-based line of the instruction at fault (1 for the whole file). */
  line: number;
  detail: string;
}

const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);

/** The first limit the text exceeds, or null when it can be parsed. */
export function checkLimits(text: string, escape: EscapeChar): LimitExceeded | null {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > MAX_LINES) {
    return { line: 1, detail: `more than ${MAX_LINES} lines in the file, the limit` };
  }
  let totalWords = 0;
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    const trimmed = first.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    // One logical instruction: physical lines joined by continuations; comment and blank lines
    // inside a continuation are dropped, as Docker does.
    const startLine = i + 1;
    let chars = 0;
    const head: string[] = [];
    const heredocs: { name: string; tabbed: boolean }[] = [];
    let words = 0;
    for (;;) {
      const line = lines[i++]!;
      const lineTrimmed = line.trim();
      // Dropped lines still count: the parser reads them as part of the instruction.
      chars += line.length + 1;
      if (chars > MAX_INSTRUCTION_CHARS) return tooLong(startLine);
      // (Never the first line: the loop above skipped blank and comment lines.)
      if (lineTrimmed === '' || lineTrimmed.startsWith('#')) {
        if (i >= lines.length) break;
        continue;
      }
      const continued = endsWithContinuation(line, escape);
      // The line is trimmed and not blank, so no word is empty.
      for (const word of lineTrimmed.split(/[ \t]+/)) {
        words++;
        if (head.length <= MAX_FLAGS + 2) head.push(word);
        if (word.startsWith('<<')) {
          const name = heredocName(word);
          if (name !== null) heredocs.push({ name, tabbed: word.startsWith('<<-') });
        }
      }
      if (!continued || i >= lines.length) break;
    }
    totalWords += words;
    if (totalWords > MAX_WORDS) {
      return { line: 1, detail: `more than ${MAX_WORDS} words in the file, the limit` };
    }
    const flags = countFlags(head);
    if (flags > MAX_FLAGS) {
      return {
        line: startLine,
        detail: `the instruction on line ${startLine} has more than ${MAX_FLAGS} flags, the limit`,
      };
    }
    if (HEREDOC_KEYWORDS.has(keyword(head))) {
      for (const { name, tabbed } of heredocs) {
        while (i < lines.length) {
          const body = lines[i++]!;
          chars += body.length + 1;
          if (chars > MAX_INSTRUCTION_CHARS) return tooLong(startLine);
          if ((tabbed ? body.replace(/^\t+/, '') : body) === name) break;
        }
      }
    }
  }
  return null;
}

function tooLong(line: number): LimitExceeded {
  return {
    line,
    detail: `the instruction on line ${line} is longer than ${MAX_INSTRUCTION_CHARS} characters, the limit`,
  };
}

function endsWithContinuation(line: string, escape: EscapeChar): boolean {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return end > 0 && line[end - 1] === escape;
}

/** The instruction's keyword, or the keyword of an ONBUILD's trigger, lower-cased. */
function keyword(words: readonly string[]): string {
  const first = (words[0] ?? '').toLowerCase();
  return first === 'onbuild' ? (words[1] ?? '').toLowerCase() : first;
}

/** Leading words that dockerfile-ast takes as flags: it reads on while a word contains `--`. */
function countFlags(words: readonly string[]): number {
  const start = (words[0] ?? '').toLowerCase() === 'onbuild' ? 2 : 1;
  let count = 0;
  for (let k = start; k < words.length && words[k]!.includes('--'); k++) count++;
  return count;
}

/** dockerfile-ast's reading of `<<EOF`, `<<-"EOF"`, `<<'EOF'`. */
function heredocName(word: string): string | null {
  let value = word.slice(word.startsWith('<<-') ? 3 : 2);
  for (const quote of ['"', "'"]) {
    if (value.startsWith(quote)) {
      if (!value.endsWith(quote)) return null;
      value = value.slice(1, -1);
    }
  }
  return value === '' || value.startsWith('<') ? null : value;
}
