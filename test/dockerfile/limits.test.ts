import {
  checkLimits,
  MAX_FLAGS,
  MAX_INSTRUCTION_CHARS,
  MAX_LINES,
  MAX_WORDS,
} from '../../src/dockerfile/limits.js';

const check = (text: string) => checkLimits(text, '\\');
const WORDS = { line: 1, detail: `more than ${MAX_WORDS} words in the file, the limit` };
const tooLong = (line: number) => ({
  line,
  detail: `the instruction on line ${line} is longer than ${MAX_INSTRUCTION_CHARS} characters, the limit`,
});
/**
 * 30,000 words in 78,000 characters of short instructions: over the word limit when they are read
 * as instructions, over the character limit when a heredoc wrongly swallows them.
 */
const FILLER = 'FROM a b c d\n'.repeat(6000);
/** 24,000 words in 48,000 characters: over the word limit only if read as instructions. */
const WORDY_BODY = 'a b c d e f g h\n'.repeat(3000);

describe('file-wide limits', () => {
  test('lines: exactly the limit passes, one more refuses the file', () => {
    expect(check('\n'.repeat(MAX_LINES - 1))).toBeNull();
    expect(check('\n'.repeat(MAX_LINES))).toEqual({
      line: 1,
      detail: `more than ${MAX_LINES} lines in the file, the limit`,
    });
  });

  test('words: exactly the limit passes, one more refuses; runs of spaces separate one word', () => {
    // One instruction of 20,000 words split by a space and a tab (60,000 characters).
    const words = (n: number) => `RUN${' \tb'.repeat(n - 1)}\n`;
    expect(words(MAX_WORDS).length).toBeLessThan(MAX_INSTRUCTION_CHARS);
    expect(check(words(MAX_WORDS))).toBeNull();
    expect(check(words(MAX_WORDS + 1))).toEqual(WORDS);
    expect(check(FILLER)).toEqual(WORDS);
  });

  test('blank lines and comments between instructions cost no words, indented or not', () => {
    for (const comment of ['# a b c\n', '  # a b c\n', '\t#\ta b c\n']) {
      expect(check(`${comment.repeat(8000)}FROM a\n`)).toBeNull();
    }
  });
});

describe('one instruction', () => {
  test('characters: exactly the limit passes, one more refuses, counted from its first line', () => {
    // Each line counts with its line break.
    const line = (chars: number) => `RUN ${'x'.repeat(chars - 5)}\n`;
    expect(check(`FROM a\n${line(MAX_INSTRUCTION_CHARS)}`)).toBeNull();
    expect(check(`FROM a\n${line(MAX_INSTRUCTION_CHARS + 1)}`)).toEqual(tooLong(2));
  });

  test('continuation lines join, also with spaces and tabs after the escape character', () => {
    for (const end of ['\\', '\\ ', '\\\t', '\\ \t ']) {
      const text = `FROM a\nRUN x ${end}\n${`xxxxxxxx ${end}\n`.repeat(6000)}y\n`;
      expect(check(text)).toEqual(tooLong(2));
    }
    // Continuation lines' words count.
    expect(check(`RUN a \\\n${'b c d e \\\n'.repeat(5000)}f\n`)).toEqual(WORDS);
  });

  test('the escape directive picks the continuation character', () => {
    const lines = (end: string) => `RUN x ${end}\n${`xxxxxxxx ${end}\n`.repeat(6000)}y\n`;
    expect(checkLimits(lines('`'), '`')).toEqual(tooLong(1));
    expect(checkLimits(lines('\\'), '`')).toBeNull();
    expect(check(lines('`'))).toBeNull();
  });

  test('blank and comment lines inside a continuation are dropped but still count as characters', () => {
    const blanks = `RUN a \\\n${`${' '.repeat(99)}\n`.repeat(700)}b\n`;
    expect(check(blanks)).toEqual(tooLong(1));
    // Indented comments inside a continuation cost no words (24,000 if they did).
    expect(check(`RUN a \\\n${'  # a b c d e f g\n'.repeat(3000)}b\n`)).toBeNull();
    // A continuation that ends the file on a comment or a blank line.
    expect(check('RUN a \\\n# trailing')).toBeNull();
    expect(check('RUN a \\\n  ')).toBeNull();
  });

  test('flags: exactly the limit passes, one more refuses, after the keyword (and ONBUILD)', () => {
    const refused = (line: number) => ({
      line,
      detail: `the instruction on line ${line} has more than ${MAX_FLAGS} flags, the limit`,
    });
    for (const [head, n, expected] of [
      ['FROM', MAX_FLAGS, null],
      ['FROM', MAX_FLAGS + 1, refused(2)],
      ['ONBUILD COPY', MAX_FLAGS, null],
      ['ONBUILD COPY', MAX_FLAGS + 1, refused(2)],
    ] as const) {
      expect(check(`FROM z\n${head} ${'--f=x '.repeat(n)}a\n`)).toEqual(expected);
    }
  });
});

describe('heredocs: bodies are skipped as part of RUN, COPY and ADD, up to their terminator', () => {
  test('the body costs no words; what follows the terminator is read again', () => {
    for (const opener of [
      'RUN <<EOF',
      'run cat <<EOF',
      'COPY <<EOF /x',
      'ADD <<EOF /x',
      'ONBUILD RUN <<EOF',
      'onbuild copy <<EOF /x',
      'RUN <<"EOF"',
      "RUN <<'EOF'",
    ]) {
      const text = `FROM a\n${opener}\n${WORDY_BODY}EOF\n`;
      expect([opener, check(text)]).toEqual([opener, null]);
      expect([opener, check(`${text}${FILLER}`)]).toEqual([opener, WORDS]);
    }
  });

  test('two heredocs on one line end in turn', () => {
    const half = 'a b c d e f g h\n'.repeat(1500);
    expect(check(`RUN cat <<A <<B\n${half}A\n${half}B\n`)).toBeNull();
    expect(check(`RUN cat <<A <<B\nA\nB\n${FILLER}`)).toEqual(WORDS);
  });

  test('<<- strips leading tabs from the terminator, and only leading tabs', () => {
    expect(check(`RUN <<-EOF\n${WORDY_BODY}\t\tEOF\n${FILLER}`)).toEqual(WORDS);
    // "EOF\t" and " EOF" end nothing: the body runs on to the real terminator.
    expect(check(`RUN <<-EOF\nEOF\t\n EOF\n${WORDY_BODY}EOF\n`)).toBeNull();
    // Without the dash a tab-indented terminator is body text.
    expect(check(`RUN <<EOF\n\tEOF\n${WORDY_BODY}EOF\n`)).toBeNull();
  });

  test('characters of the body count towards the instruction: exactly the limit passes', () => {
    // "RUN <<E\n" is 8 characters, the terminator line 2, each body line its length plus 1.
    const body = (chars: number) => `RUN <<E\n${'x'.repeat(chars - 8 - 2 - 1)}\nE\n`;
    expect(check(`FROM a\n${body(MAX_INSTRUCTION_CHARS)}`)).toBeNull();
    expect(check(`FROM a\n${body(MAX_INSTRUCTION_CHARS + 1)}`)).toEqual(tooLong(2));
  });

  test('an unterminated heredoc runs to the end of the file', () => {
    expect(check('RUN <<EOF\nbody')).toBeNull();
    expect(check('RUN <<A <<B\nA\nbody')).toBeNull();
    expect(check(`RUN <<EOF\n${'x\n'.repeat(40_000)}`)).toEqual(tooLong(1));
  });

  test('not heredocs: other instructions, here-strings, bare or half-quoted <<', () => {
    for (const line of [
      'LABEL a=<<EOF',
      'ENV a <<EOF',
      'RUN cat <<<word',
      'RUN cat <<<',
      'RUN echo << x',
      'RUN echo <<- x',
      'RUN cat <<"EOF',
      "RUN cat <<'EOF",
      'RUN cat <<"',
      'RUN cat <<""',
    ]) {
      expect([line, check(`${line}\n${FILLER}EOF\n`)]).toEqual([line, WORDS]);
    }
  });

  test('a quote only at the end is part of the name', () => {
    expect(check(`RUN <<EOF"\n${WORDY_BODY}EOF"\n${FILLER}`)).toEqual(WORDS);
    expect(check(`RUN <<EOF"\n${WORDY_BODY}EOF"\n`)).toBeNull();
  });
});
