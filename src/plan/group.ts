// Planned updates → one branch plan per group (config `group`): branch name, title, commit
// message, body and metadata. Pure and deterministic: the same updates give the same plans.
import { createHash } from 'node:crypto';

import type { RepoConfig } from '../config/types.js';
import { shortDigest } from '../image/reference.js';
import { utf8Length } from '../text-bytes.js';
import { MAX_BODY_BYTES, renderBody } from './body.js';
import { largestFitting } from './largest-fitting.js';
import { metadataFor, renderMetadata } from './metadata.js';
import { byPosition } from './plan.js';
import type { BranchPlan, PlannedUpdate } from './types.js';

/** At most this share of the body goes to the metadata block; the rest is for people. */
const MAX_METADATA_BYTES = MAX_BODY_BYTES / 2;

function groupKey(config: RepoConfig, u: PlannedUpdate): string {
  if (config.group === 'file') return u.file;
  if (config.group === 'image') return u.imageName;
  return 'repository';
}

/** Readable and collision-free: `services-api-dockerfile-3f2a1b`. */
function slug(text: string): string {
  const readable = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 6);
  return readable === '' ? hash : `${readable}-${hash}`;
}

/** `group` is the group key: 'repository', a file path, or a normalised image name. */
function branchName(config: RepoConfig, group: string, member: PlannedUpdate): string {
  if (config.group === 'file') return `${config.branchPrefix}file-${slug(group)}`;
  // Named after the familiar image name, which is one-to-one with the normalised group key.
  if (config.group === 'image') return `${config.branchPrefix}image-${slug(member.image)}`;
  return `${config.branchPrefix}all`;
}

function describe(u: PlannedUpdate): string {
  const digest = u.to.digest ? shortDigest(u.to.digest) : null;
  if (u.kind === 'pin') return `pin ${u.image}:${u.from.tag} to ${digest}`;
  if (u.kind === 'digest') return `update ${u.image}:${u.from.tag} to ${digest}`;
  return `update ${u.image} to ${u.to.tag}${digest ? ` (${digest})` : ''}`;
}

function title(config: RepoConfig, updates: PlannedUpdate[]): string {
  const summaries = new Set(updates.map(describe));
  const references = new Set(updates.map((u) => `${u.imageName}:${u.from.tag}`));
  const [only] = summaries;
  const text =
    summaries.size === 1 && only
      ? only
      : `${updates.every((u) => u.kind === 'pin') ? 'pin' : 'update'} ${references.size} base image${references.size === 1 ? '' : 's'}`;
  return [config.commitMessagePrefix, text].filter(Boolean).join(' ');
}

function commitMessage(heading: string, updates: PlannedUpdate[]): string {
  const lines = updates.map((u) => {
    const from = [u.from.tag, u.from.digest && shortDigest(u.from.digest)].filter(Boolean).join('@');
    const to = [u.to.tag, u.to.digest && shortDigest(u.to.digest)].filter(Boolean).join('@');
    return `- ${u.file}:${u.line} ${u.image} ${from} -> ${to}`;
  });
  return `${heading}\n\n${lines.join('\n')}\n`;
}

/** The longest prefix of the updates whose metadata block fits its share of the body. */
function fittingCount(group: string, updates: PlannedUpdate[]): number {
  // One update always goes in, or nothing would ever be proposed.
  return largestFitting(
    1,
    updates.length,
    (count) => utf8Length(renderMetadata(metadataFor(group, updates.slice(0, count)))) <= MAX_METADATA_BYTES,
  );
}

export function groupPlans(
  updates: PlannedUpdate[],
  config: RepoConfig,
  repoFullName: string,
  now: Date,
): BranchPlan[] {
  const groups = new Map<string, PlannedUpdate[]>();
  for (const u of [...updates].sort((a, b) => byPosition(a, b) || a.use.column - b.use.column)) {
    const key = groupKey(config, u);
    const members = groups.get(key);
    if (members) members.push(u);
    else groups.set(key, [u]);
  }
  return [...groups.keys()].sort().map((group) => {
    const all = groups.get(group) ?? [];
    const included = all.slice(0, fittingCount(group, all));
    const branch = branchName(config, group, all[0]!);
    const metadata = metadataFor(group, included);
    const heading = title(config, included);
    return {
      group,
      branch,
      title: heading,
      body: renderBody({
        updates: included,
        metadata,
        repoFullName,
        branch,
        deferred: all.length - included.length,
        now,
      }),
      commitMessage: commitMessage(heading, included),
      updates: included,
      metadata,
    };
  });
}
