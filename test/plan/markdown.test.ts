// The Markdown building blocks every registry- or repository-supplied string goes through, with the
// exact text they produce for hostile input (GitHub's renderer is GFM: cmark-gfm).
import { cell, code, link, tableRow } from '../../src/plan/markdown.js';

describe('code', () => {
  it('puts plain text, mentions, issue references and HTML in a one-backtick span', () => {
    expect(code('3.12')).toBe('`3.12`');
    // Inside a code span GitHub links nothing and pings no one, and HTML is shown as text.
    expect(code('@acme/team #123 <script>alert(1)</script>')).toBe(
      '`@acme/team #123 <script>alert(1)</script>`',
    );
    expect(code('[x](javascript:alert(1))')).toBe('`[x](javascript:alert(1))`');
  });

  it('fences with one backtick more than the longest run inside', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('a``b`c')).toBe('```a``b`c```');
    expect(code('a`b```c``d')).toBe('````a`b```c``d````');
  });

  it('pads text that starts or ends with a backtick, so the fence cannot absorb it', () => {
    expect(code('`a')).toBe('`` `a ``');
    expect(code('a`')).toBe('`` a` ``');
    expect(code('`a`')).toBe('`` `a` ``');
    expect(code('`')).toBe('`` ` ``');
  });

  it('keeps the span on one line: each run of line breaks becomes one space', () => {
    expect(code('a\nb')).toBe('`a b`');
    expect(code('a\r\nb')).toBe('`a b`');
    expect(code('a\r\n\r\n\n\rb\rc')).toBe('`a b c`');
    // A heading or list item cannot start on a line of its own.
    expect(code('x\n# Heading\n- item')).toBe('`x # Heading - item`');
    // Breaks are collapsed first: the space they leave already keeps the fence off the backtick.
    expect(code('\n`x')).toBe('`` `x``');
  });
});

describe('cell', () => {
  it('escapes every pipe, inside code spans too', () => {
    expect(cell('a|b')).toBe('a\\|b');
    expect(cell('`a|b|`')).toBe('`a\\|b\\|`');
    // A backslash before a pipe stays: cmark-gfm takes `\|` as one escaped pipe whatever precedes it.
    expect(cell('a\\|b')).toBe('a\\\\|b');
  });

  it('keeps a cell on one line: each run of line breaks becomes one space', () => {
    expect(cell('a\r\n\r\nb\nc')).toBe('a b c');
    expect(cell('a\rb')).toBe('a b');
  });
});

describe('link', () => {
  it('keeps an ordinary URL as it is', () => {
    expect(link('`x`', 'https://example.com/a/b?c=d#e')).toBe('[`x`](https://example.com/a/b?c=d#e)');
  });

  it('percent-encodes, upper case and two digits, what could end the link or a cell', () => {
    expect(link('t', 'https://x/a b')).toBe('[t](https://x/a%20b)');
    expect(link('t', 'https://x/(a)|[b]<c>')).toBe('[t](https://x/%28a%29%7C%5Bb%5D%3Cc%3E)');
    expect(link('t', 'https://x/\t\n\r')).toBe('[t](https://x/%09%0A%0D)');
    // `)` cannot close the link early to smuggle in text or another link.
    expect(link('t', 'https://x/)[y](javascript:alert(1))')).toBe(
      '[t](https://x/%29%5By%5D%28javascript:alert%281%29%29)',
    );
  });
});

describe('tableRow', () => {
  it('joins cells, each escaped, between pipes', () => {
    expect(tableRow(['a', 'b|c', 'd\ne'])).toBe('| a | b\\|c | d e |');
  });
});
