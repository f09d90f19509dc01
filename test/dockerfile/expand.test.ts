import {
  expandWord,
  ExpansionBudget,
  MAX_FILE_EXPANDED_CHARS,
  MAX_NESTING,
  type Piece,
  type Value,
} from '../../src/dockerfile/expand.js';

/** Expands all of `text` (or `text.slice(0, end)`) with the variables given. */
const expand = (text: string, vars: Record<string, Value> = {}, end = text.length, escape = '\\') =>
  expandWord(text, { start: 0, end, escape, scope: new Map(Object.entries(vars)) });
const ok = (...pieces: [string, number][]) => ({
  ok: true,
  pieces: pieces.map(([text, start]) => ({ text, start, arg: null })),
});
const fails = (error: string, limit = false) => ({ ok: false, error, limit });
/** A variable's default value written at `start` of an ARG named `arg`. */
const value = (text: string, start = 100, arg = 'V'): Piece[] => [{ text, start, arg }];

describe('quotes and escapes', () => {
  test('single quotes keep everything literal; empty quotes leave no piece', () => {
    expect(expand("a'$X\\b'c")).toEqual(ok(['a', 0], ['$X\\b', 2], ['c', 7]));
    expect(expand("a''b")).toEqual(ok(['a', 0], ['b', 3]));
    expect(expand("'ab")).toEqual(fails('unterminated single quote'));
  });

  test('an escape makes the next character literal; at the end of the word it is kept', () => {
    expect(expand("a\\$X\\'b")).toEqual(ok(['a', 0], ['$X', 2], ["'b", 5]));
    expect(expand('a\\')).toEqual(ok(['a\\', 0]));
  });

  test('an escaped line break (with spaces or tabs before it) is dropped', () => {
    for (const gap of ['\n', '\r\n', '\r', ' \t \n']) {
      expect(expand(`a\\${gap}b`)).toEqual(ok(['a', 0], ['b', 2 + gap.length]));
    }
    // A line break not right after the escape is text.
    expect(expand('a\\bc\nd')).toEqual(ok(['a', 0], ['bc\nd', 2]));
  });

  test('the escape directive picks the escape character', () => {
    expect(expand('a`$Xb\\c', {}, undefined, '`')).toEqual(ok(['a', 0], ['$Xb\\c', 2]));
  });

  test('double quotes expand variables; an escape there only applies before " $ and itself', () => {
    expect(expand('"a$V"', { V: value('x') })).toEqual({
      ok: true,
      pieces: [{ text: 'a', start: 1, arg: null }, ...value('x')],
    });
    expect(expand('"a\\b\\$\\"\\\\"')).toEqual(ok(['a\\b', 1], ['$', 5], ['"', 7], ['\\', 9]));
    expect(expand('"a\\\nb"')).toEqual(ok(['a', 1], ['b', 4]));
    expect(expand('"ab')).toEqual(fails('unterminated double quote'));
  });
});

describe('variables', () => {
  test('$V and ${V}; a $ before no name is text; ${} is an error', () => {
    const vars = { V: value('x') };
    expect(expand('$V', vars)).toEqual({ ok: true, pieces: value('x') });
    expect(expand('${V}', vars)).toEqual({ ok: true, pieces: value('x') });
    expect(expand('a$/b')).toEqual(ok(['a$/b', 0]));
    expect(expand('a$')).toEqual(ok(['a$', 0]));
    expect(expand('${}')).toEqual(fails('bad substitution'));
    expect(expand('${/}')).toEqual(fails('bad substitution'));
  });

  test('unknown, default-less and broken variables', () => {
    expect(expand('$X')).toEqual(fails('unknown variable X'));
    expect(expand('$V', { V: null })).toEqual(fails('ARG V has no default value'));
    expect(expand('$V', { V: { error: 'boom' } })).toEqual(fails('boom', true));
    expect(expand('${V:-x}', { V: { error: 'boom' } })).toEqual(fails('boom', true));
  });

  test('${V:-w} ${V-w} ${V:+w} ${V+w} for set, empty and default-less variables', () => {
    const cases: [string, Value, string][] = [
      ['${V:-w}', value('x'), 'x'],
      ['${V:-w}', [], 'w'],
      ['${V:-w}', null, 'w'],
      ['${V-w}', value('x'), 'x'],
      ['${V-w}', [], ''],
      ['${V-w}', null, 'w'],
      ['${V:+w}', value('x'), 'w'],
      ['${V:+w}', [], ''],
      ['${V:+w}', null, ''],
      ['${V+w}', value('x'), 'w'],
      ['${V+w}', [], 'w'],
      ['${V+w}', null, ''],
    ];
    for (const [word, v, expected] of cases) {
      const result = expand(word, { V: v });
      const text = result.ok ? result.pieces.map((p) => p.text).join('') : result.error;
      expect([word, v, text]).toEqual([word, v, expected]);
    }
    // An unset variable: the word, where it is written.
    expect(expand('${U:-ab}')).toEqual(ok(['ab', 5]));
  });

  test('unsupported and unterminated substitutions', () => {
    expect(expand('${V%x}', { V: value('x') })).toEqual(fails('unsupported substitution in ${V...}'));
    expect(expand('${V:-x', { V: value('x') })).toEqual(fails('unterminated ${'));
  });

  test('nesting: exactly the limit passes, one more is refused; siblings do not add up', () => {
    const nest = (depth: number) => `${'${U:-'.repeat(depth)}x${'}'.repeat(depth)}`;
    expect(expand(nest(MAX_NESTING))).toEqual(ok(['x', 5 * MAX_NESTING]));
    expect(expand(nest(MAX_NESTING + 1))).toEqual(fails(`\${…} nested more than ${MAX_NESTING} deep`, true));
    const siblings = '${U:-x}'.repeat(MAX_NESTING + 1);
    const result = expand(siblings);
    expect(result.ok && result.pieces.map((p) => p.text).join('')).toBe('x'.repeat(MAX_NESTING + 1));
  });
});

describe('the word ends at `end`: nothing after it is read', () => {
  test.each([
    ["'ab'", 3],
    ['"ab"', 3],
    ['$AB', 2],
    ['${A}', 1],
    ['${A:-x}', 4],
    ['a\\b', 2],
  ])('%s cut at %i reads as the text before the cut', (text, end) => {
    const vars = { A: value('1'), AB: value('2') };
    expect(expand(text, vars, end)).toEqual(expand(text.slice(0, end), vars));
  });
});

describe('the file budget', () => {
  test("each use of a variable's value costs its length plus one; exactly spent passes", () => {
    const budget = new ExpansionBudget();
    budget.remaining = 4;
    const word = (text: string) =>
      expandWord(text, {
        start: 0,
        end: text.length,
        escape: '\\',
        scope: new Map([['V', value('x')]]),
        budget,
      });
    expect(word('$V').ok).toBe(true);
    expect(word('${V:-y}').ok).toBe(true);
    expect(budget.remaining).toBe(0);
    expect(word('literal text is free').ok).toBe(true);
    expect(word('$V')).toEqual(
      fails(`the file's substitutions produce more than ${MAX_FILE_EXPANDED_CHARS} characters in all`, true),
    );
  });
});
