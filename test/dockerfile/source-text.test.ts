import {
  LineIndex,
  MAX_DOCKERFILE_BYTES,
  readDockerfileText,
  sizeProblem,
} from '../../src/dockerfile/source-text.js';

describe('LineIndex', () => {
  test('\\r\\n, a lone \\r and \\n each end a line', () => {
    const index = new LineIndex('a\r\nb\rc\nd');
    expect([0, 3, 5, 7].map((offset) => index.lineColumn(offset))).toEqual([
      { line: 1, column: 1 },
      { line: 2, column: 1 },
      { line: 3, column: 1 },
      { line: 4, column: 1 },
    ]);
    expect(index.offsetAt({ line: 2, character: 0 })).toBe(5);
    expect(index.offsetAt({ line: 3, character: 0 })).toBe(7);
  });

  test('positions past the text are clamped to its end', () => {
    const index = new LineIndex('ab\ncd');
    expect(index.offsetAt({ line: 1, character: 1 })).toBe(4);
    expect(index.offsetAt({ line: 1, character: 9 })).toBe(5);
    expect(index.offsetAt({ line: 7, character: 0 })).toBe(5);
    expect(index.lineColumn(5)).toEqual({ line: 2, column: 3 });
  });

  test('a BOM is not a column, on the first line only', () => {
    const index = new LineIndex('\uFEFFFROM x\nFROM y');
    expect(index.lineColumn(0)).toEqual({ line: 1, column: 1 });
    expect(index.lineColumn(1)).toEqual({ line: 1, column: 1 });
    expect(index.lineColumn(6)).toEqual({ line: 1, column: 6 });
    expect(index.lineColumn(8)).toEqual({ line: 2, column: 1 });
  });
});

describe('readDockerfileText', () => {
  test('a file may be exactly the limit, not one byte more', () => {
    expect(sizeProblem(MAX_DOCKERFILE_BYTES)).toBeNull();
    expect(sizeProblem(MAX_DOCKERFILE_BYTES + 1)).toBe(
      `${MAX_DOCKERFILE_BYTES + 1} bytes, more than the limit of ${MAX_DOCKERFILE_BYTES}`,
    );
    const full = new Uint8Array(MAX_DOCKERFILE_BYTES).fill(0x20);
    expect(readDockerfileText(full)).toMatchObject({ ok: true });
    // A bounded read of a larger file: the size on disk decides.
    expect(readDockerfileText(full, MAX_DOCKERFILE_BYTES + 1)).toEqual({
      ok: false,
      reason: 'too-large',
      detail: sizeProblem(MAX_DOCKERFILE_BYTES + 1),
    });
  });

  test('strict UTF-8, BOM kept', () => {
    expect(readDockerfileText(Buffer.from('\uFEFFFROM x\n', 'utf8'))).toEqual({
      ok: true,
      text: '\uFEFFFROM x\n',
    });
    expect(readDockerfileText(Buffer.from([0x46, 0xff, 0x0a]))).toEqual({
      ok: false,
      reason: 'not-utf8',
      detail: 'not valid UTF-8 text',
    });
  });
});
