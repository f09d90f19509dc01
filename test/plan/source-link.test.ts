// The PR body's source column, from an image's org.opencontainers.image.source/revision labels:
// text the image's publisher chose, so every part of it is hostile until shown otherwise.
import { MAX_SOURCE_LENGTH, renderSource } from '../../src/plan/source-link.js';

const REVISION = '0123456789abcdef0123456789abcdef01234567';
const source = (text: string | null, revision: string | null = null) =>
  renderSource({ source: text, revision });

describe('renderSource', () => {
  it('gives nothing without labels, or without an image at all', () => {
    expect(renderSource(null)).toBeNull();
    expect(source(null)).toBeNull();
    expect(source('')).toBeNull();
  });

  it('links a GitHub repository, and the commit when the revision is known', () => {
    expect(source('https://github.com/docker-library/python')).toBe(
      '[`docker-library/python`](https://github.com/docker-library/python)',
    );
    expect(source('https://github.com/docker-library/python', REVISION)).toBe(
      `[\`docker-library/python@0123456789ab\`](https://github.com/docker-library/python/commit/${REVISION})`,
    );
    // A deeper path and an http address still name the repository, over https.
    expect(source('http://github.com/acme/app/tree/main/docker')).toBe(
      '[`acme/app`](https://github.com/acme/app)',
    );
  });

  it('tolerates git+, .git and surrounding whitespace, and only those', () => {
    expect(source('git+https://github.com/acme/app.git')).toBe('[`acme/app`](https://github.com/acme/app)');
    expect(source('  https://github.com/acme/app.git \n')).toBe('[`acme/app`](https://github.com/acme/app)');
    // `.git` only at the end, `git+` only at the start.
    expect(source('https://github.com/acme/acme.github.io')).toBe(
      '[`acme/acme.github.io`](https://github.com/acme/acme.github.io)',
    );
    expect(source('https://example.com/git+tools/x')).toBe(
      '[`example.com/git+tools/x`](https://example.com/git+tools/x)',
    );
  });

  it('lower-cases the revision and shows 12 characters of it', () => {
    expect(source('https://github.com/acme/app', REVISION.toUpperCase())).toBe(
      `[\`acme/app@0123456789ab\`](https://github.com/acme/app/commit/${REVISION})`,
    );
    expect(source(null, 'ABCDEF0123456789')).toBe('`abcdef012345`');
    expect(source('not a url', 'abcdef0')).toBe('`abcdef0`');
  });

  it('ignores a revision that is not a commit hash', () => {
    expect(source(null, '@someone')).toBeNull();
    expect(source(null, 'abcdef')).toBeNull();
    expect(source(null, `${'a'.repeat(64)}0`)).toBeNull();
    expect(source('https://github.com/acme/app', 'v1.2.3')).toBe('[`acme/app`](https://github.com/acme/app)');
  });

  it('shows another host as host and path, linked, with the revision beside it', () => {
    expect(source('https://gitlab.example.com:8443/group/project/')).toBe(
      '[`gitlab.example.com:8443/group/project`](https://gitlab.example.com:8443/group/project)',
    );
    expect(source('https://gitlab.example.com/group/project', REVISION)).toBe(
      '[`gitlab.example.com/group/project`](https://gitlab.example.com/group/project) `0123456789ab`',
    );
    expect(source('https://example.com/')).toBe('[`example.com`](https://example.com)');
    // github.com without an owner and a repository is not a repository.
    expect(source('https://github.com/acme')).toBe('[`github.com/acme`](https://github.com/acme)');
  });

  it('never echoes credentials, a query or a fragment from the label', () => {
    expect(
      source('https://x-access-token:ghs_secret@gitlab.example.com/g/p?private_token=abc#readme', REVISION),
    ).toBe('[`gitlab.example.com/g/p`](https://gitlab.example.com/g/p) `0123456789ab`');
    expect(source('https://user:pass@github.com/acme/app.git')).toBe(
      '[`acme/app`](https://github.com/acme/app)',
    );
  });

  it('links nothing but http(s)', () => {
    for (const label of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'ftp://example.com/x',
      'git@github.com:acme/app.git',
      'ssh://git@github.com/acme/app',
    ]) {
      expect(source(label)).toBeNull();
      expect(source(label, REVISION)).toBe('`0123456789ab`');
    }
  });

  it('keeps hostile path text inside the code span and the link target', () => {
    // The URL parser percent-encodes spaces, quotes, `<>` and backticks in a path; the link
    // encodes what could close it or a table cell.
    expect(source('https://example.com/a b/<script>/`x`/(y)|z')).toBe(
      '[`example.com/a%20b/%3Cscript%3E/%60x%60/(y)|z`](https://example.com/a%20b/%3Cscript%3E/%60x%60/%28y%29%7Cz)',
    );
    expect(source('https://github.com/@team/)[x](javascript:alert(1))')).toBe(
      '[`@team/)[x](javascript:alert(1))`](https://github.com/@team/%29%5Bx%5D%28javascript:alert%281%29%29)',
    );
  });

  it('links no label longer than a URL can sensibly be', () => {
    const atLimit = `https://example.com/${'a'.repeat(MAX_SOURCE_LENGTH - 20)}`;
    expect(atLimit).toHaveLength(MAX_SOURCE_LENGTH);
    expect(source(atLimit)).toBe(`[\`${atLimit.slice(8)}\`](${atLimit})`);
    expect(source(`${atLimit}a`)).toBeNull();
    expect(source(`${atLimit}a`, REVISION)).toBe('`0123456789ab`');
  });
});
