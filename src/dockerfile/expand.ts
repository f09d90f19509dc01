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

/** Variables in scope: name → expanded default value, or null when declared without one. */
export type Scope = ReadonlyMap<string, Piece[] | null>;

export type Expansion = { ok: true; pieces: Piece[] } | { ok: false; error: string };

class Unresolvable extends Error {}

export function piecesText(pieces: readonly Piece[]): string {
  return pieces.map((p) => p.text).join('');
}

/** Joins pieces that are adjacent in the file and come from the same place. */
export function mergePieces(pieces: readonly Piece[]): Piece[] {
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

/** Expands `text.slice(start, end)`; pieces of the instruction's own text get `arg`. */
export function expandWord(
  text: string,
  start: number,
  end: number,
  escape: string,
  scope: Scope,
  arg: string | null = null,
): Expansion {
  try {
    const word = new WordExpander(text, end, escape, scope, arg);
    word.pos = start;
    return { ok: true, pieces: mergePieces(word.expand(null)) };
  } catch (error) {
    if (error instanceof Unresolvable) return { ok: false, error: error.message };
    throw error;
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class WordExpander {
  pos = 0;

  constructor(
    private readonly text: string,
    private readonly end: number,
    private readonly escape: string,
    private readonly scope: Scope,
    private readonly arg: string | null,
  ) {}

  /** Expands until `stop` (the `}` closing a `${V:-word}`) or the end of the word. */
  expand(stop: string | null): Piece[] {
    const pieces: Piece[] = [];
    while (this.pos < this.end) {
      const ch = this.text[this.pos]!;
      if (ch === stop) return pieces;
      if (ch === this.escape) this.escaped(pieces, '');
      else if (ch === "'") this.singleQuoted(pieces);
      else if (ch === '"') this.doubleQuoted(pieces);
      else if (ch === '$') pieces.push(...this.variable());
      else this.literal(pieces, 1);
    }
    if (stop !== null) throw new Unresolvable('unterminated ${');
    return pieces;
  }

  private literal(pieces: Piece[], length: number): void {
    pieces.push({ text: this.text.slice(this.pos, this.pos + length), start: this.pos, arg: this.arg });
    this.pos += length;
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
      else if (ch === '$') pieces.push(...this.variable());
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
    const word = this.expand('}');
    this.pos++;
    // An ARG declared without a default counts as unset: the build uses the word then.
    const set = value !== null && (!operator.startsWith(':') || piecesText(value) !== '');
    if (operator.endsWith('-')) return set ? value : word;
    return set ? word : [];
  }

  private require(name: string, declared: boolean, value: Piece[] | null): Piece[] {
    if (!declared) throw new Unresolvable(`unknown variable ${name}`);
    if (value === null) throw new Unresolvable(`ARG ${name} has no default value`);
    return value;
  }
}
