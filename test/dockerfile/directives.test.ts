import { maskForParser, readParserDirectives } from '../../src/dockerfile/directives.js';

const read = readParserDirectives;

describe('readParserDirectives', () => {
  test('a syntax directive: its value, where it stands, where the block ends', () => {
    const text = '# syntax=docker/dockerfile:1\nFROM a\n';
    expect(read(text)).toEqual({
      escape: '\\',
      syntax: { value: 'docker/dockerfile:1', start: 9, end: 28, lineStart: 0 },
      blockEnd: 29,
    });
    expect(text.slice(9, 28)).toBe('docker/dockerfile:1');
  });

  test('the last line of the file, without a line break, is read whole', () => {
    expect(read('# syntax=docker/dockerfile:1')).toEqual({
      escape: '\\',
      syntax: { value: 'docker/dockerfile:1', start: 9, end: 28, lineStart: 0 },
      blockEnd: 28,
    });
  });

  test('indentation, spacing and a second line: offsets count from the start of the text', () => {
    const text = '# escape=`\n  #  SYNTAX =  a/b:1  \r\nFROM a\n';
    const result = read(text);
    expect(result).toEqual({
      escape: '`',
      syntax: { value: 'a/b:1', start: 26, end: 31, lineStart: 13 },
      blockEnd: 35,
    });
    expect(text.slice(26, 31)).toBe('a/b:1');
    expect(text[13]).toBe('#');
    expect(text.slice(35)).toBe('FROM a\n');
  });

  test('a byte order mark before the block is skipped', () => {
    expect(read('\uFEFF# syntax=a\nFROM a')).toEqual({
      escape: '\\',
      syntax: { value: 'a', start: 10, end: 11, lineStart: 1 },
      blockEnd: 12,
    });
  });

  test('the escape directive takes a backtick or a backslash; anything else keeps the default', () => {
    expect(read('# escape=`\n').escape).toBe('`');
    expect(read('# escape=\\\n').escape).toBe('\\');
    for (const value of ['x', '``', "'", '/']) expect(read(`# escape=${value}\n`).escape).toBe('\\');
    // Only the escape directive sets it.
    expect(read('# check=`\n').escape).toBe('\\');
    expect(read('# check=skip=all\n# syntax=`\n').escape).toBe('\\');
  });

  test('a repeated directive: the first one counts', () => {
    expect(read('# syntax=a\n# syntax=b\n').syntax?.value).toBe('a');
    expect(read('# escape=`\n# escape=\\\n').escape).toBe('`');
    expect(read('# escape=x\n# escape=`\n').escape).toBe('\\');
  });

  test('the block ends at the first line that is no known directive', () => {
    for (const head of ['\n', '# hello\n', '# unknown=1\n', 'FROM a\n', '#\n', '# =x\n', '# 1a=x\n']) {
      const text = `${head}# syntax=a\n# escape=\`\n`;
      expect([head, read(text)]).toEqual([head, { escape: '\\', syntax: null, blockEnd: 0 }]);
    }
    // A blank first line ends the block even when the rest of the file is one line.
    expect(read('\n# syntax=a')).toEqual({ escape: '\\', syntax: null, blockEnd: 0 });
    expect(read('# syntax=a\n\n# escape=`\n')).toEqual({
      escape: '\\',
      syntax: { value: 'a', start: 9, end: 10, lineStart: 0 },
      blockEnd: 11,
    });
  });
});

describe('maskForParser', () => {
  const mask = (text: string) => maskForParser(text, read(text));

  test('blanks the content of the comment right after the block, keeping every offset', () => {
    expect(mask('# syntax=a\n# escape=`\n# hello\nFROM a\n')).toBe(
      '# syntax=a\n# escape=`\n#      \nFROM a\n',
    );
    expect(mask('# hello\nFROM a\n')).toBe('#      \nFROM a\n');
    expect(mask('  \t# hello\r\nFROM a\n')).toBe('  \t#      \r\nFROM a\n');
    expect(mask('# syntax=a\n# check=x\r# more\n')).toBe('# syntax=a\n#        \r# more\n');
  });

  test('a comment that ends the file', () => {
    expect(mask('# hello')).toBe('#      ');
    expect(mask('#')).toBe('#');
  });

  test('anything but a comment after the block is left alone', () => {
    for (const text of ['FROM a # b\n', 'FROM#x\n', '\n# hello\n', '# syntax=a\n', '']) {
      expect(mask(text)).toBe(text);
    }
  });
});
