// Positions in a Dockerfile's text: UTF-16 offsets (BOM included) ↔ 0-based line/character.

const BOM = '\uFEFF';

export function hasBom(text: string): boolean {
  return text.startsWith(BOM);
}

/**
 * Line starts, counting `\r\n`, `\r` and `\n` as line breaks: the same rule as the
 * TextDocument inside dockerfile-ast, so its line/character positions map back exactly.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      } else if (ch === 10 /* \n */) {
        this.starts.push(i + 1);
      }
    }
  }

  offsetAt(position: { line: number; character: number }): number {
    const start = this.starts[position.line];
    if (start === undefined) return this.text.length;
    return Math.min(start + position.character, this.text.length);
  }

  /** 1-based line and column of an offset, not counting a BOM as a column. */
  lineColumn(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    const bomShift = low === 0 && hasBom(this.text) && offset > 0 ? 1 : 0;
    return { line: low + 1, column: offset - this.starts[low]! - bomShift + 1 };
  }
}

/** Files larger than this are not read as Dockerfiles: real ones are kilobytes; this bounds the work. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export type DockerfileText =
  { ok: true; text: string } | { ok: false; reason: 'too-large' | 'not-utf8'; detail: string };

/** Why a file of `size` bytes is not read as a Dockerfile, or null when its size is fine. */
export function sizeProblem(size: number): string | null {
  return size > MAX_DOCKERFILE_BYTES ? `${size} bytes, more than the limit of ${MAX_DOCKERFILE_BYTES}` : null;
}

/**
 * The one rule for reading a file as Dockerfile text, in `extract`, `scan` and the app: at most
 * MAX_DOCKERFILE_BYTES, strict UTF-8, BOM kept. (NUL bytes are refused by extraction itself.)
 * `size` is the whole file's size when only its first bytes were read (a bounded read stops one
 * byte past the limit).
 */
export function readDockerfileText(bytes: Uint8Array, size = bytes.length): DockerfileText {
  const tooLarge = sizeProblem(Math.max(size, bytes.length));
  if (tooLarge) return { ok: false, reason: 'too-large', detail: tooLarge };
  const text = decodeDockerfileText(bytes);
  if (text === null) return { ok: false, reason: 'not-utf8', detail: 'not valid UTF-8 text' };
  return { ok: true, text };
}

/**
 * A file's text, byte for byte: a BOM stays in the string so a rewrite writes it back. Null when the
 * bytes are not UTF-8, since a rewrite would then alter bytes it did not mean to touch.
 */
function decodeDockerfileText(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
