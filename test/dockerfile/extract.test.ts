import { extractImages } from '../../src/dockerfile/extract.js';
import { MAX_DOCKERFILE_BYTES } from '../../src/dockerfile/source-text.js';
import type { ImageUse } from '../../src/dockerfile/types.js';

const extract = (text: string) => extractImages('Dockerfile', text);
/** `registry/repository[:tag][@digest]` of each image use. */
const names = (text: string) =>
  extract(text).images.map(
    (u) => `${u.registry}/${u.repository}${u.tag ? `:${u.tag}` : ''}${u.digest ? `@${u.digest}` : ''}`,
  );
const skips = (text: string) => extract(text).skipped.map((s) => `${s.line} ${s.reason} ${s.written}`);
const at = (text: string, use: ImageUse) => text.slice(use.edit.range.start, use.edit.range.end);
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('FROM', () => {
  test('flags, AS in any case, lowercase instructions, surrounding whitespace', () => {
    const text = '  from  --platform=linux/arm64 --foo=bar python:3.12-slim   aS Build  \nFROM build\n';
    const [use] = extract(text).images;
    expect(use).toMatchObject({
      line: 1,
      column: 3,
      source: 'from',
      written: 'python:3.12-slim',
      registry: 'docker.io',
      repository: 'library/python',
      tag: '3.12-slim',
      digest: null,
      stage: 'build',
      platform: 'linux/arm64',
    });
    expect(at(text, use!)).toBe('python:3.12-slim');
    expect(skips(text)).toEqual(['2 stage build']);
  });

  test('line continuations, also with comment and blank lines inside', () => {
    const text = 'FROM \\\n  # a comment\n\n  --platform=$P \\\n  node:20 \\\n  # another\n  AS web\n';
    expect(extract(text).images[0]).toMatchObject({
      line: 1,
      written: 'node:20',
      stage: 'web',
      platform: '$P',
    });
  });

  test('scratch is skipped, stages shadow images only after their definition', () => {
    const text = 'FROM scratch AS a\nFROM alpine\nFROM alpine AS ALPINE\nFROM Alpine\nFROM a\n';
    expect(names(text)).toEqual(['docker.io/library/alpine', 'docker.io/library/alpine']);
    expect(skips(text)).toEqual(['1 scratch scratch', '4 stage Alpine', '5 stage a']);
  });

  test('quoted references and references with registry hosts', () => {
    expect(
      names(
        'FROM "gcr.io/distroless/static"\nFROM localhost:5000/a/b/c:1\nFROM index.docker.io/library/node\n' +
          `FROM registry-1.docker.io/bitnami/redis@${DIGEST}\nFROM [::1]:5000/x:y\n`,
      ),
    ).toEqual([
      'gcr.io/distroless/static',
      'localhost:5000/a/b/c:1',
      'docker.io/library/node',
      `docker.io/bitnami/redis@${DIGEST}`,
      '[::1]:5000/x:y',
    ]);
  });

  test('invalid references are skipped with a reason', () => {
    const { skipped } = extract('FROM Python:3\nFROM python@sha256:abc\nFROM python:\n');
    expect(skipped.map((s) => [s.reason, s.written])).toEqual([
      ['invalid', 'Python:3'],
      ['invalid', 'python@sha256:abc'],
      ['invalid', 'python:'],
    ]);
    expect(skipped[0]!.detail).toMatch(/lowercase/);
  });
});

describe('stage references in COPY and RUN --mount', () => {
  test('stage names, indexes and images', () => {
    const text =
      'FROM golang AS Build\nCOPY --from=build /a /b\nCOPY --from=0 /a /b\nCOPY --from=nginx:1 /a /b\n' +
      'RUN --mount=type=bind,from=BUILD,target=/x --mount=type=cache,from=ghcr.io/a/b:2,target=/y true\n' +
      'COPY --from=later /a /b\nFROM alpine AS later\n';
    const result = extract(text);
    expect(result.images.map((u) => [u.line, u.source, u.written])).toEqual([
      [1, 'from', 'golang'],
      [4, 'copy-from', 'nginx:1'],
      [5, 'run-mount', 'ghcr.io/a/b:2'],
      [7, 'from', 'alpine'],
    ]);
    expect(skips(text)).toEqual(['2 stage build', '3 stage 0', '5 stage BUILD', '6 stage later']);
    expect(at(text, result.images[1]!)).toBe('nginx:1');
    expect(at(text, result.images[2]!)).toBe('ghcr.io/a/b:2');
  });

  test('ONBUILD instructions are not part of this build', () => {
    expect(names('FROM a\nONBUILD COPY --from=b:1 /x /y\n')).toEqual(['docker.io/library/a']);
  });
});

describe('parser directives', () => {
  test('syntax is an image; escape changes the continuation character', () => {
    const text =
      '# syntax=docker/dockerfile:1.7\n# escape=`\nFROM `\n  mcr.microsoft.com/windows:ltsc2022\nRUN dir c:\\\nFROM b\n';
    const result = extract(text);
    expect(result.images.map((u) => [u.line, u.column, u.source, u.written])).toEqual([
      [1, 1, 'syntax', 'docker/dockerfile:1.7'],
      [3, 1, 'from', 'mcr.microsoft.com/windows:ltsc2022'],
      [6, 1, 'from', 'b'],
    ]);
    expect(at(text, result.images[0]!)).toBe('docker/dockerfile:1.7');
  });

  test('directives after a comment, a blank line or an unknown directive are plain comments', () => {
    for (const head of ['# hello\n', '\n', '# unknown=1\n', 'FROM x\n']) {
      const text = `${head}# syntax=docker/dockerfile:1\n# escape=\`\nFROM a \`\n  AS b\n`;
      expect(names(text).filter((n) => n.includes('dockerfile'))).toEqual([]);
      // With the default escape, the backtick is no continuation: "AS b" is a separate (unknown) line.
      expect(extract(text).images.find((u) => u.written === 'a')?.stage).toBeNull();
    }
  });

  test('spacing and case inside directives', () => {
    expect(names(' #  SYNTAX = docker/dockerfile:1  \nFROM a\n')[0]).toBe('docker.io/docker/dockerfile:1');
  });
});

describe('heredocs', () => {
  test('nothing inside a heredoc is an instruction', () => {
    const text =
      'FROM a\nRUN <<EOF\nFROM evil\nEOF\nCOPY <<-"END" /x\n\tFROM evil2\n\tEND\n' +
      "RUN python3 <<'PY' > out\nFROM evil3\nPY\nRUN cat <<A <<B\nFROM evil4\nA\nFROM evil5\nB\nFROM good\n";
    expect(names(text)).toEqual(['docker.io/library/a', 'docker.io/library/good']);
  });
});

describe('ARG', () => {
  test('a whole reference from one ARG edits the ARG value', () => {
    const text = 'ARG BASE="python:3.12"\nFROM ${BASE} AS a\nFROM $BASE\n';
    const { images } = extract(text);
    expect(images.map((u) => [u.written, u.edit.kind, u.edit.viaArg])).toEqual([
      ['python:3.12', 'reference', 'BASE'],
      ['python:3.12', 'reference', 'BASE'],
    ]);
    expect(at(text, images[0]!)).toBe('python:3.12');
    expect(images[0]!.edit.range).toEqual(images[1]!.edit.range);
  });

  test('part of a reference from an ARG is tag-only at the version numbers', () => {
    const text = 'ARG NODE_VERSION=20\nARG ALPINE=3.19\nFROM node:${NODE_VERSION}-alpine${ALPINE}\n';
    const [use] = extract(text).images;
    expect(use).toMatchObject({ written: 'node:20-alpine3.19', tag: '20-alpine3.19' });
    expect(use!.edit).toMatchObject({
      kind: 'tag-only',
      viaArg: 'NODE_VERSION',
      tagPrefix: '',
      tagSuffix: '-alpine3.19',
    });
    expect(at(text, use!)).toBe('20');
  });

  test('tag-only on literal tag text when another part is variable', () => {
    const text = 'ARG REG=ghcr.io\nARG V=1\nFROM $REG/app:v1.2-${V}\nFROM $REG/app\nFROM node:${V}.${V}\n';
    const [literal, untagged, twoVars] = extract(text).images;
    expect(literal!.edit).toMatchObject({ kind: 'tag-only', viaArg: null, tagPrefix: '', tagSuffix: '1' });
    expect(at(text, literal!)).toBe('v1.2-');
    expect(untagged!.edit.unsupported).toMatch(/no tag/);
    expect(twoVars!.edit.unsupported).toMatch(/several variables/);
  });

  test('defaults using earlier ARGs, ${V:-default}, ${V:+alt}', () => {
    const text =
      'ARG PY=3.12\nARG IMG=python:${PY}-slim\nARG EMPTY\nARG SET=x\n' +
      'FROM ${IMG}\nFROM ${EMPTY:-node}:${PY}\nFROM alpine${SET:+:3}\nFROM alpine${EMPTY:+:3}\nFROM ${UNSET-busybox}\n';
    expect(extract(text).images.map((u) => u.written)).toEqual([
      'python:3.12-slim',
      'node:3.12',
      'alpine:3',
      'alpine',
      'busybox',
    ]);
    const [img] = extract(text).images;
    expect(img!.edit).toMatchObject({ kind: 'tag-only', viaArg: 'PY', tagSuffix: '-slim' });
    expect(at(text, img!)).toBe('3.12');
  });

  test('unresolvable references are skipped as variable', () => {
    expect(skips('ARG NO_DEFAULT\nFROM $NO_DEFAULT\nFROM ${UNKNOWN}python\nFROM ${BAD\n')).toEqual([
      '2 variable $NO_DEFAULT',
      '3 variable ${UNKNOWN}python',
      '4 variable ${BAD',
    ]);
  });

  test('ARG declares name[=default] words: `ARG A b` declares two arguments without defaults', () => {
    // BuildKit splits an ARG into words; only ENV keeps the legacy `name value` form.
    const text =
      'ARG LINUX_VERSION ubuntu16.04\nARG CUDA=12.2.0\nARG A b=2.0 c\n' +
      'FROM nvidia/cuda:${CUDA}-devel-${LINUX_VERSION}\nFROM alpine:$A\nFROM alpine:$b\nFROM alpine:${c:-3.19}\n';
    expect(skips(text)).toEqual([
      '4 variable nvidia/cuda:${CUDA}-devel-${LINUX_VERSION}',
      '5 variable alpine:$A',
    ]);
    const images = extract(text).images;
    expect(images.map((u) => u.written)).toEqual(['alpine:2.0', 'alpine:3.19']);
    expect(at(text, images[0]!)).toBe('2.0');
    expect(images[0]!.edit.viaArg).toBe('b');
  });

  test('only global ARGs are visible to FROM; stage ARGs to later instructions of their stage', () => {
    const text =
      'ARG G=nginx:1\nFROM alpine\nARG S=redis:7\nARG G\nCOPY --from=${S} /a /b\nCOPY --from=$G /a /b\n' +
      'FROM ${S}\nCOPY --from=$S /a /b\n';
    expect(extract(text).images.map((u) => u.written)).toEqual(['alpine', 'redis:7', 'nginx:1']);
    expect(skips(text)).toEqual(['7 variable ${S}', '8 variable $S']);
  });
});

describe('files', () => {
  test('BOM, CRLF, no trailing newline', () => {
    const text = '\uFEFFFROM a:1\r\nCOPY --from=b:2 /x /y';
    const result = extract(text);
    expect(result.images.map((u) => [u.line, u.column, at(text, u)])).toEqual([
      [1, 1, 'a:1'],
      [2, 1, 'b:2'],
    ]);
  });

  test('empty, too large and binary files', () => {
    expect(extract('')).toEqual({ file: 'Dockerfile', images: [], skipped: [] });
    expect(extract('FROM a\n'.repeat(MAX_DOCKERFILE_BYTES)).skipped.map((s) => s.reason)).toEqual([
      'too-large',
    ]);
    // Bytes, not characters: a file of two-byte characters is refused at half the character count.
    const wide = `FROM a\n# ${'é'.repeat(MAX_DOCKERFILE_BYTES / 2)}\n`;
    expect(extract(wide).skipped).toEqual([
      {
        line: 1,
        written: '',
        reason: 'too-large',
        detail: `${MAX_DOCKERFILE_BYTES + 10} bytes, more than the limit of ${MAX_DOCKERFILE_BYTES}`,
      },
    ]);
    expect(extract('FROM a\n\0\0').skipped.map((s) => s.reason)).toEqual(['binary']);
  });

  test('a stray quote or escape does not throw', () => {
    expect(skips('FROM "a\nFROM a\\')).toEqual(['1 variable "a', '2 invalid a\\']);
  });
});

describe('hostile input: refused or bounded, never thrown, other images kept', () => {
  const tooLarge = (text: string) =>
    extract(text).skipped.map((s) => [s.line, s.reason, s.detail?.replace(/^.*(longer|more) than /, '')]);
  const nest = (depth: number) => `${'${a:-'.repeat(depth)}x${'}'.repeat(depth)}`;
  const doubling = (count: number) =>
    Array.from({ length: count }, (_, i) => (i ? `ARG A${i}=$A${i - 1}$A${i - 1}\n` : 'ARG A0=x\n')).join('');

  test('an instruction with too many flags, also after ONBUILD, refuses the file', () => {
    expect(tooLarge(`FROM a\nCOPY ${'--from=b '.repeat(100_000)}/ /\n`)).toEqual([
      [2, 'too-large', '65536 characters, the limit'],
    ]);
    for (const line of [
      `FROM ${'--platform=x '.repeat(300)}a`,
      `ONBUILD COPY ${'--from=b '.repeat(300)}/ /`,
    ]) {
      expect(tooLarge(`FROM z\n${line}\n`)).toEqual([[2, 'too-large', '256 flags, the limit']]);
    }
    const text = `FROM a\nRUN ${'--mount=from=b:1 '.repeat(256)}true\n`;
    expect(extract(text).images).toHaveLength(257);
  });

  test('long instructions: continuation lines, comments inside them, heredocs', () => {
    for (const body of ['y \\\n'.repeat(20_000), '# comment\n'.repeat(7000), '\\ \n'.repeat(30_000)]) {
      expect(tooLarge(`FROM a\nRUN x \\\n${body}z\nFROM b\n`)).toEqual([
        [2, 'too-large', '65536 characters, the limit'],
      ]);
    }
    expect(tooLarge(`FROM a\nRUN <<EOF\n${'FROM evil\n'.repeat(7000)}EOF\nFROM b\n`)).toEqual([
      [2, 'too-large', '65536 characters, the limit'],
    ]);
    expect(tooLarge(`FROM a\nRUN <<EOF\n${'x\n'.repeat(40_000)}`)).toEqual([
      [2, 'too-large', '65536 characters, the limit'],
    ]);
    expect(names(`FROM a\nRUN <<-EOF\n${'FROM evil\n'.repeat(3000)}\tEOF\nFROM b\n`)).toEqual([
      'docker.io/library/a',
      'docker.io/library/b',
    ]);
  });

  test('too many words or lines in the file', () => {
    expect(tooLarge('FROM a AS s\n'.repeat(6000))).toEqual([
      [1, 'too-large', '20000 words in the file, the limit'],
    ]);
    expect(tooLarge(`${'ARG A=b\n'.repeat(12_000)}FROM $A\n`)).toEqual([
      [1, 'too-large', '20000 words in the file, the limit'],
    ]);
    expect(tooLarge(`${'#\n'.repeat(60_000)}FROM a\n`)).toEqual([
      [1, 'too-large', '50000 lines in the file, the limit'],
    ]);
    expect(extract('FROM a AS s\n'.repeat(2000)).images).toHaveLength(2000);
  });

  test('nested substitutions are bounded in depth', () => {
    expect(extract(`FROM ${nest(32)}\n`).images.map((u) => u.written)).toEqual(['x']);
    for (const depth of [33, 10_000]) {
      const { images, skipped } = extract(
        `FROM alpine\nFROM ${nest(depth)}\nFROM ${'${a:-'.repeat(depth)}\n`,
      );
      expect(images.map((u) => u.written)).toEqual(['alpine']);
      expect(skipped.map((s) => [s.line, s.reason, s.detail])).toEqual([
        [2, 'variable', '${…} nested more than 32 deep'],
        [3, 'variable', '${…} nested more than 32 deep'],
      ]);
    }
  });

  test('ARGs that double each other stop at 4096 characters; the other images stay', () => {
    for (const count of [16, 40]) {
      const text = `${doubling(count)}FROM alpine AS one\nFROM b:$A${count - 1}\nCOPY --from=nginx:1 / /\n`;
      const { images, skipped } = extract(text);
      expect(images.map((u) => u.written)).toEqual(['alpine', 'nginx:1']);
      expect(skipped.map((s) => [s.line, s.reason, s.detail])).toEqual([
        [count + 2, 'variable', 'ARG A13 expands to more than 4096 characters'],
      ]);
    }
    // 4096 characters of an ARG are still expanded (and then refused as a reference).
    expect(skips(`${doubling(13)}FROM $A12\n`)).toEqual([`14 invalid ${'x'.repeat(4096)}`]);
  });

  test('all substitutions of one file together are bounded', () => {
    const text = `ARG A=x\nARG B=${'$A'.repeat(4000)}\nFROM alpine\n${'FROM $B\n'.repeat(100)}FROM nginx\n`;
    const { images, skipped } = extract(text);
    expect(images.map((u) => u.written)).toEqual(['alpine', 'nginx']);
    expect(new Set(skipped.map((s) => s.reason))).toEqual(new Set(['invalid', 'variable']));
    expect(skipped.at(-1)!.detail).toMatch(/substitutions produce more than 262144 characters in all/);
  });
});
