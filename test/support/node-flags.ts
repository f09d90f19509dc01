// The V8 flags the app runs with: those on bin/freshbase.js's `#!/usr/bin/env -S node …` line, which
// package.json's `start` and the Dockerfile's NODE_OPTIONS repeat (test/deploy checks that they
// agree) and which the benchmarks run under, so they measure the app as it runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function launcherNodeFlags(root: string): string[] {
  const shebang = readFileSync(path.join(root, 'bin/freshbase.js'), 'utf8').split('\n', 1)[0]!;
  const match = /^#!\/usr\/bin\/env -S node((?: --[\w-]+=\S+)*)$/.exec(shebang);
  if (!match)
    throw new Error(`bin/freshbase.js: not a "#!/usr/bin/env -S node --flag=value" line: ${shebang}`);
  return match[1]!.trim().split(' ').filter(Boolean);
}
