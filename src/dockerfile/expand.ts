// Docker's word expansion (quotes, escapes, $V, ${V}, ${V:-word}, ${V:+word}) over the raw text
// of one word, remembering where every resulting character was written so that an edit can go
// back to the exact bytes (in the instruction itself or in an ARG's default value).

/** A run of expanded text that stands verbatim in the file at `start`. */
export interface Piece {
  text: string;
  start: number;
  /** The ARG whose default value holds this text; null for text of the instruction itself. */
  arg: string | null;
}

/**
 * A variable's expanded default value; null when declared without one; `{ error }` when its
 * default could not be expanded (why uses of it are skipped).
 */
export type Value = Piece[] | null | { error: string };

/** Variables in scope by name. */
export type Scope = ReadonlyMap<string, Value>;

/** `limit`: the word hit MAX_EXPANDED_CHARS or MAX_NESTING rather than being unresolvable. */
export type Expansion = { ok: true; pieces: Piece[] } | { ok: false; error: string; limit: boolean };

class Unresolvable extends Error {
  constructor(
    message: string,
    readonly limit = false,
  ) {
    super(message);
  }
}

/**
 * Expanded text longer than this is not an image reference (those stop at 1024 characters);
 * the bound stops ARGs that double each other (`ARG B=$A$A`) from growing without limit.
 */
export const MAX_EXPANDED_CHARS = 4096;
/** `${a:-${b:-…}}` nests no deeper than this: the expander recurses once per level. */
export const MAX_NESTING = 32;
/**
 * Characters all expansions of one file may produce together. Each use of a long ARG copies its
 * value, so 20,000 uses of a 4,000-character ARG would take seconds; real files use a few
 * thousand characters in all.
 */
export const MAX_FILE_EXPANDED_CHARS = 256 * 1024;

/** What is left of a file's MAX_FILE_EXPANDED_CHARS; share one across a file's expansions. */
export class ExpansionBudget {
  remaining = MAX_FILE_EXPANDED_CHARS;
}

export function piecesText(pieces: readonly Piece[]): string {
  return pieces.map((p) => p.text).join('');
}

/** Joins pieces that are adjacent in the file and come from the same place. */
function mergePieces(pieces: readonly Piece[]): Piece[] {
  const merged: Piece[] = [];
  for (const piece of pieces) {
    if (piece.text === '') continue;
    const last = merged[merged.length - 1];
    if (last && last.arg === piece.arg && last.start + last.text.length === piece.start) {
      merged[merged.length - 1] = { ...last, text: last.text + piece.text };
    } else {
      merged.push(piece);
    }
  }
  return merged;
}

/** One word of a Dockerfile's text to expand: `text.slice(start, end)`. */
export interface WordToExpand {
  start: number;
  end: number;
  /** The escape character (parser directive). */
  escape: string;
  scope: Scope;
  /** The ARG whose default value this word is; its pieces are tagged with it. Default null. */
  arg?: string | null;
  /** Shared by a file's expansions; a fresh one by default. */
  budget?: ExpansionBudget;
}

/** Expands one word of `text`. */
export function expandWord(text: string, word: WordToExpand): Expansion {
  try {
    const expander = new WordExpander(text, {
      ...word,
      arg: word.arg ?? null,
      budget: word.budget ?? new ExpansionBudget(),
    });
    expander.pos = word.start;
    return { ok: true, pieces: mergePieces(expander.expand(null)) };
  } catch (error) {
    if (error instanceof Unresolvable) return { ok: false, error: error.message, limit: error.limit };
    throw error;
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class WordExpander {
  pos = 0;
  /** Characters expanded so far, and `${` levels currently open. */
  private length = 0;
  private depth = 0;

  private readonly end: number;
  private readonly escape: string;
  private readonly scope: Scope;
  private readonly arg: string | null;
  private readonly budget: ExpansionBudget;

  constructor(
    private readonly text: string,
    word: Required<WordToExpand>,
  ) {
    this.end = word.end;
    this.escape = word.escape;
    this.scope = word.scope;
    this.arg = word.arg;
    this.budget = word.budget;
  }

  /** Expands until `stop` (the `}` closing a `${V:-word}`) or the end of the word. */
  expand(stop: string | null): Piece[] {
    const pieces: Piece[] = [];
    while (this.pos < this.end) {
      const ch = this.text[this.pos]!;
      if (ch === stop) return pieces;
      if (ch === this.escape) this.escaped(pieces, '');
      else if (ch === "'") this.singleQuoted(pieces);
      else if (ch === '"') this.doubleQuoted(pieces);
      else if (ch === '$') this.append(pieces, this.variable());
      else this.literal(pieces, 1);
    }
    if (stop !== null) throw new Unresolvable('unterminated ${');
    return pieces;
  }

  private literal(pieces: Piece[], length: number): void {
    this.grow(length);
    pieces.push({ text: this.text.slice(this.pos, this.pos + length), start: this.pos, arg: this.arg });
    this.pos += length;
  }

  /** Adds a variable's value: a loop, as a spread of a long array overflows the stack. */
  private append(pieces: Piece[], value: readonly Piece[]): void {
    for (const piece of value) {
      this.grow(piece.text.length);
      pieces.push(piece);
    }
  }

  private grow(length: number): void {
    this.length += length;
    if (this.length > MAX_EXPANDED_CHARS) {
      throw new Unresolvable(`expands to more than ${MAX_EXPANDED_CHARS} characters`, true);
    }
  }

  /** An escape char: a line continuation is dropped, otherwise the next char is literal. */
  private escaped(pieces: Piece[], onlyBefore: string): void {
    const continuation = /^[ \t]*(?:\r\n|\r|\n)/.exec(this.text.slice(this.pos + 1, this.pos + 200));
    if (continuation) {
      this.pos += 1 + continuation[0].length;
    } else if (this.pos + 1 >= this.end) {
      this.literal(pieces, 1);
    } else if (onlyBefore === '' || onlyBefore.includes(this.text[this.pos + 1]!)) {
      this.pos++;
      this.literal(pieces, 1);
    } else {
      this.literal(pieces, 2);
    }
  }

  private singleQuoted(pieces: Piece[]): void {
    const close = this.text.indexOf("'", this.pos + 1);
    if (close < 0 || close >= this.end) throw new Unresolvable('unterminated single quote');
    this.pos++;
    this.literal(pieces, close - this.pos);
    this.pos++;
  }

  private doubleQuoted(pieces: Piece[]): void {
    this.pos++;
    while (this.pos < this.end) {
      const ch = this.text[this.pos]!;
      if (ch === '"') {
        this.pos++;
        return;
      }
      if (ch === this.escape) this.escaped(pieces, `"$${this.escape}`);
      else if (ch === '$') this.append(pieces, this.variable());
      else this.literal(pieces, 1);
    }
    throw new Unresolvable('unterminated double quote');
  }

  private readName(): string {
    const from = this.pos;
    if (this.pos < this.end && NAME_START.test(this.text[this.pos]!)) {
      while (this.pos < this.end && NAME_CHAR.test(this.text[this.pos]!)) this.pos++;
    }
    return this.text.slice(from, this.pos);
  }

  private variable(): Piece[] {
    const dollar = this.pos;
    this.pos++;
    const braced = this.text[this.pos] === '{' && this.pos < this.end;
    if (braced) this.pos++;
    const name = this.readName();
    if (name === '') {
      if (braced) throw new Unresolvable('bad substitution');
      this.pos = dollar;
      const pieces: Piece[] = [];
      this.literal(pieces, 1);
      return pieces;
    }
    const declared = this.scope.has(name);
    const value = this.scope.get(name) ?? null;
    if (!braced) return this.require(name, declared, value);
    const operator = /^:?[-+]/.exec(this.text.slice(this.pos, Math.min(this.end, this.pos + 2)))?.[0];
    if (operator === undefined) {
      if (this.text[this.pos] !== '}') throw new Unresolvable(`unsupported substitution in \${${name}...}`);
      this.pos++;
      return this.require(name, declared, value);
    }
    this.pos += operator.length;
    if (++this.depth > MAX_NESTING) {
      throw new Unresolvable(`\${…} nested more than ${MAX_NESTING} deep`, true);
    }
    // The word's text counts only if it is used: measure it on its own.
    const before = this.length;
    const word = this.expand('}');
    this.length = before;
    this.depth--;
    this.pos++;
    // An ARG declared without a default counts as unset: the build uses the word then.
    if (value !== null && !Array.isArray(value)) throw new Unresolvable(value.error, true);
    const set = value !== null && (!operator.startsWith(':') || piecesText(value) !== '');
    if (operator.endsWith('-')) return set ? this.charge(value) : word;
    return set ? word : [];
  }

  private require(name: string, declared: boolean, value: Value): Piece[] {
    if (!declared) throw new Unresolvable(`unknown variable ${name}`);
    if (value === null) throw new Unresolvable(`ARG ${name} has no default value`);
    if (!Array.isArray(value)) throw new Unresolvable(value.error, true);
    return this.charge(value);
  }

  /** Takes a copy of a variable's value from the file's budget (text of the file itself is free). */
  private charge(value: Piece[]): Piece[] {
    for (const piece of value) this.budget.remaining -= piece.text.length + 1;
    if (this.budget.remaining < 0) {
      throw new Unresolvable(
        `the file's substitutions produce more than ${MAX_FILE_EXPANDED_CHARS} characters in all`,
        true,
      );
    }
    return value;
  }
}
