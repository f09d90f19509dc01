// Edge cases of extraction that mutation testing showed no test pinned down.
import { extractImages } from '../../src/dockerfile/extract.js';

const read = (text: string) => {
  const { images, skipped } = extractImages('Dockerfile', text);
  return {
    images: images.map(({ written, stage, platform, edit }) => ({
      written,
      stage,
      platform,
      range: edit.range,
    })),
    skipped,
  };
};

test('a file with NUL bytes is binary, as a whole', () => {
  expect(extractImages('Dockerfile', 'FROM a\0b\n')).toEqual({
    file: 'Dockerfile',
    images: [],
    skipped: [{ line: 1, written: '', reason: 'binary', detail: 'the file contains NUL bytes' }],
  });
});

test('a global ARG declared again without a value keeps its default', () => {
  expect(read('ARG A=python:3\nARG A\nFROM ${A}\n').images).toEqual([
    { written: 'python:3', stage: null, platform: null, range: { start: 6, end: 14 } },
  ]);
});

test('ARG with several names: each word after the first is read again, with or without a value', () => {
  expect(read('ARG X B=python:3.12\nFROM ${B}\n').images).toEqual([
    { written: 'python:3.12', stage: null, platform: null, range: { start: 8, end: 19 } },
  ]);
  // Y is declared without a default, so the fallback applies.
  expect(read('ARG X Y\nFROM python:${Y:-3}\n').images).toEqual([
    { written: 'python:3', stage: null, platform: null, range: { start: 25, end: 26 } },
  ]);
});

test('an ARG default that cannot be resolved counts as none', () => {
  expect(read('ARG A=${B:?nope}\nFROM python:${A:-3}\n')).toEqual({
    images: [{ written: 'python:3', stage: null, platform: null, range: { start: 34, end: 35 } }],
    skipped: [],
  });
});

test('FROM without an image, and flags other than --platform', () => {
  expect(read('FROM\nFROM --foo=bar python:3\n')).toEqual({
    images: [{ written: 'python:3', stage: null, platform: null, range: { start: 20, end: 28 } }],
    skipped: [],
  });
});

test('a stage name needs AS and a name', () => {
  expect(read('FROM python:3 AS\nFROM python:3 XS b\n').images.map((use) => use.stage)).toEqual([null, null]);
});

test('COPY --from: a number is a stage index, a name that starts with digits is an image', () => {
  expect(
    read('FROM python:3\nCOPY --from /a /b\nCOPY --from=3scale/app:1 /a /b\nCOPY --from=12 /a /b\n'),
  ).toEqual({
    images: [
      { written: 'python:3', stage: null, platform: null, range: { start: 5, end: 13 } },
      { written: '3scale/app:1', stage: null, platform: null, range: { start: 44, end: 56 } },
    ],
    skipped: [{ line: 4, written: '12', reason: 'stage' }],
  });
});
