// The org the org-sweep benchmark sweeps: ten images in the real registry and n repositories whose
// Dockerfiles use them. Shared by the benchmark (registry floor) and the fake GitHub's child process
// (which builds the repositories), so both see the same org.
import type { TestRegistry } from '../test/support/registry.js';

export const IMAGES = 10;

export interface Catalogue {
  /** image index → digest of `:1.0` (an index) and the newest patch tag `1.0.1`. */
  floatingDigest: string[];
  patchDigest: string[];
}

export async function pushCatalogue(registry: TestRegistry): Promise<Catalogue> {
  const catalogue: Catalogue = { floatingDigest: [], patchDigest: [] };
  for (let i = 0; i < IMAGES; i++) {
    const index = await registry.pushIndex(`bench/img${i}`, '1.0');
    await registry.pushImage(`bench/img${i}`, '1.0.0', { seed: `img${i}-1.0.0` });
    const patch = await registry.pushImage(`bench/img${i}`, '1.0.1', { seed: `img${i}-1.0.1` });
    catalogue.floatingDigest.push(index.digest);
    catalogue.patchDigest.push(patch.digest);
  }
  return catalogue;
}

/**
 * 70 % of repositories have one to three Dockerfiles. About a third of those (every third with
 * files) use an unpinned or outdated reference and get a PR; the rest are pinned to what the
 * registry has now and need nothing.
 */
export function repositoryFiles(r: number, host: string, c: Catalogue): Record<string, string> {
  const files: Record<string, string> = {
    'README.md': `# repo ${r}\n`,
    'src/main.ts': `export const n = ${r};\n`,
  };
  if (r % 10 >= 7) return files;
  const outdated = r % 3 === 0;
  const count = 1 + (r % 3);
  for (let f = 0; f < count; f++) {
    const i = (r + f) % IMAGES;
    const image = `${host}/bench/img${i}`;
    const from =
      f % 2 === 0
        ? outdated
          ? `${image}:1.0`
          : `${image}:1.0@${c.floatingDigest[i]}`
        : outdated
          ? `${image}:1.0.0`
          : `${image}:1.0.1@${c.patchDigest[i]}`;
    files[f === 0 ? 'Dockerfile' : `svc${f}/Dockerfile`] = `FROM ${from}\nRUN echo ${r}\n`;
  }
  return files;
}
