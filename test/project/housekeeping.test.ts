// What a user checks first: the licence matches package.json, and `npm ci` on the supported Node
// installs no package whose `engines` excludes it (npm's EBADENGINE warning).
import { readFileSync } from 'node:fs';
import semver from 'semver';

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const pkg = readJson('package.json') as { license: string; engines: { node: string } };

test('LICENSE is the licence package.json names', () => {
  expect(pkg.license).toBe('MIT');
  expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
});

test('every locked package runs on the oldest Node the project supports', () => {
  const oldest = semver.minVersion(pkg.engines.node)!;
  // The newest release of that major line: what a user of "Node 20" has.
  const supported = `${oldest.major}.99.99`;
  const lock = readJson('package-lock.json') as {
    packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }>;
  };
  const refused = Object.entries(lock.packages)
    .filter(([, entry]) => {
      const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      return range !== undefined && !semver.satisfies(supported, range);
    })
    .map(([name, entry]) => `${name} wants node ${(entry.engines as { node: string }).node}`);
  expect(refused).toEqual([]);
});
