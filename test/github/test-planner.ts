// Stand-ins for the lifecycle tests: an in-memory registry whose digests tests change between runs,
// and a small planner honouring the scanRepository/applyBranchPlan contract for plain
// `FROM name:tag[@digest]` lines (Docker Hub library images, digest and pin updates only).
import { metadataFor, renderMetadata } from '../../src/plan/metadata.js';
import type { RepoFile, RepositoryScan, ScanInput } from '../../src/plan/scan-repository.js';
import type { BranchPlan, PlannedUpdate } from '../../src/plan/types.js';
import type { Planner } from '../../src/github/reconcile-repository.js';
import type { ExtractResult, ImageUse } from '../../src/dockerfile/types.js';
import type { LookupTarget, ManifestInfo, RegistryLookup } from '../../src/registry/types.js';

export class FakeRegistry implements RegistryLookup {
  /** `name:tag` → digest (name without `library/`). */
  readonly digests = new Map<string, string>();
  /** Names whose lookups fail (as a registry outage would). */
  readonly failing = new Set<string>();
  lookups = 0;

  async resolve(target: LookupTarget): Promise<ManifestInfo> {
    this.lookups++;
    const name = target.repository.replace(/^library\//, '');
    const digest = this.digests.get(`${name}:${target.reference}`);
    if (this.failing.has(name) || !digest) throw new Error(`lookup failed: ${name}:${target.reference}`);
    return {
      digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      isIndex: true,
      platforms: [],
      created: null,
      source: null,
      revision: null,
      version: null,
    };
  }
  async platformOf(): Promise<null> {
    return null;
  }
  resolvePlatform(): Promise<ManifestInfo> {
    throw new Error('not used');
  }
  async listTags(): Promise<string[]> {
    return [];
  }
}

export function digest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

const FROM = /^FROM\s+([a-z0-9._-]+)(?::([\w.-]+))?(?:@(sha256:[0-9a-f]{64}))?/i;

function usesOf(file: RepoFile): ImageUse[] {
  const uses: ImageUse[] = [];
  let offset = 0;
  file.content.split('\n').forEach((text, index) => {
    const bare = text.replace(/^\uFEFF/, '');
    const m = FROM.exec(bare);
    if (m) {
      const start =
        offset +
        (text.length - bare.length) +
        'FROM '.length +
        (bare.slice(5).length - bare.slice(5).trimStart().length);
      uses.push({
        line: index + 1,
        column: 1,
        source: 'from',
        written: m[0].slice(m[0].indexOf(m[1]!)),
        registry: 'docker.io',
        repository: `library/${m[1]}`,
        tag: m[2] ?? null,
        digest: m[3] ?? null,
        stage: null,
        platform: null,
        edit: {
          kind: 'reference',
          range: { start, end: start + m[0].length - m[0].indexOf(m[1]!) },
          viaArg: null,
        },
      });
    }
    offset += text.length + 1;
  });
  return uses;
}

async function scanRepository(input: ScanInput): Promise<RepositoryScan> {
  const extracted: ExtractResult[] = input.files.map((f) => ({
    file: f.path,
    images: usesOf(f),
    skipped: [],
  }));
  const updates: PlannedUpdate[] = [];
  const errors: RepositoryScan['errors'] = [];
  for (const { file, images } of extracted) {
    for (const use of images) {
      const name = use.repository.replace(/^library\//, '');
      let target: ManifestInfo;
      try {
        target = await input.registry.resolve({
          registry: use.registry,
          repository: use.repository,
          reference: use.tag ?? 'latest',
        });
      } catch (error) {
        errors.push({ file, line: use.line, image: name, error: String(error) });
        continue;
      }
      if (target.digest === use.digest) continue;
      const update: PlannedUpdate = {
        file,
        line: use.line,
        image: name,
        imageName: `docker.io/${use.repository}`,
        from: { tag: use.tag, digest: use.digest },
        to: { tag: use.tag, digest: target.digest },
        kind: use.digest ? 'digest' : 'pin',
        use,
        target,
        current: null,
      };
      if (!input.declined?.(update)) updates.push(update);
    }
  }
  const groups = new Map<string, PlannedUpdate[]>();
  for (const u of updates) {
    const key =
      input.config.group === 'repository'
        ? 'repository'
        : input.config.group === 'file'
          ? u.file
          : u.imageName;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  const plans: BranchPlan[] = [...groups].map(([group, members]) => {
    const metadata = metadataFor(group, members);
    const title = `${input.config.commitMessagePrefix} update ${members.map((u) => u.image).join(', ')}`;
    const lines = members.map(
      (u) => `- ${u.file}:${u.line} ${u.image} ${u.from.digest ?? '(none)'} → ${u.to.digest}`,
    );
    return {
      group,
      branch: `${input.config.branchPrefix}${group.replace(/[^\w.-]+/g, '-')}`,
      title,
      body: [title, '', ...lines, '', renderMetadata(metadata)].join('\n'),
      commitMessage: title,
      updates: members,
      metadata,
    };
  });
  return { extracted, updates, errors, plans };
}

function applyBranchPlan(files: RepoFile[], plan: BranchPlan): RepoFile[] {
  const changed: RepoFile[] = [];
  for (const file of files) {
    const edits = plan.updates
      .filter((u) => u.file === file.path)
      .sort((a, b) => b.use.edit.range.start - a.use.edit.range.start);
    if (edits.length === 0) continue;
    let content = file.content;
    for (const u of edits) {
      const text = `${u.image}${u.to.tag ? `:${u.to.tag}` : ''}@${u.to.digest}`;
      content = content.slice(0, u.use.edit.range.start) + text + content.slice(u.use.edit.range.end);
    }
    changed.push({ path: file.path, content });
  }
  return changed;
}

export const testPlanner: Planner = { scanRepository, applyBranchPlan };
