// Parser directives (`# syntax=`, `# escape=`) by Docker's rules: they form a block at the very
// top; the first line that is not a known directive (a comment, a blank line, an instruction,
// an unknown directive) ends the block, and later look-alikes are plain comments.

import { hasBom } from './source-text.js';

export type EscapeChar = '\\' | '`';

export interface DirectiveValue {
  value: string;
  /** Offsets of the value in the text, and of the directive line's `#`. */
  start: number;
  end: number;
  lineStart: number;
}

export interface ParserDirectives {
  escape: EscapeChar;
  syntax: DirectiveValue | null;
  /** Offset of the first line after the directive block. */
  blockEnd: number;
}

// BuildKit's reDirective (Go's \s is [\t\n\f\r ]), applied to the left-trimmed line.
const DIRECTIVE = /^#[\t\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\f\r ]*=[\t\f\r ]*(.+?)[\t\f\r ]*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

export function readParserDirectives(text: string): ParserDirectives {
  const result: ParserDirectives = { escape: '\\', syntax: null, blockEnd: 0 };
  const seen = new Set<string>();
  let lineStart = hasBom(text) ? 1 : 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const indent = line.length - line.trimStart().length;
    const match = DIRECTIVE.exec(line.slice(indent));
    const name = match?.[1]?.toLowerCase();
    // A repeated directive is a build error; the first one is the one that counts.
    if (!match || !name || !KNOWN_DIRECTIVES.has(name)) break;
    if (!seen.has(name)) {
      seen.add(name);
      const value = match[2]!;
      const start = lineStart + indent + match[0].lastIndexOf(value);
      if (name === 'syntax') {
        result.syntax = { value, start, end: start + value.length, lineStart: lineStart + indent };
      } else if (name === 'escape' && value === '`') {
        // A backslash is the default; any other value is a build error, and we keep the default.
        result.escape = '`';
      }
    }
    lineStart = newline < 0 ? text.length : newline + 1;
  }
  result.blockEnd = lineStart;
  return result;
}

/**
 * The text to hand to dockerfile-ast, same length as the original. dockerfile-ast keeps reading
 * directives past comments and unknown directives that end Docker's block, so the first line
 * after the block, when it is a comment, has its content blanked to stop it there.
 */
export function maskForParser(text: string, directives: ParserDirectives): string {
  const rest = text.slice(directives.blockEnd);
  const hash = /^[\t ]*#/.exec(rest);
  if (!hash) return text;
  const commentStart = directives.blockEnd + hash[0].length;
  const lineEnd = text.slice(commentStart).search(/[\r\n]|$/) + commentStart;
  return text.slice(0, commentStart) + ' '.repeat(lineEnd - commentStart) + text.slice(lineEnd);
}
