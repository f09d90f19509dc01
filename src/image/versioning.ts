// Docker tag versioning: tags are compared as `v?<numbers>[-suffix]`. Pure, no I/O.
//
// `semver` is not used: Docker tags have any number of parts (`20`, `1.25`, `1.2.3.4`) and
// suffixes that are variants (`-slim-bookworm`), not semver prereleases, so ordering is a
// plain comparison of number lists.
import type { OfferedKind } from './update-kind.js';

export type TagUpdateKind = Extract<OfferedKind, 'patch' | 'minor' | 'major'>;

export interface TagVersion {
  /** `v` when the tag is written `v1.2.3`, else ''. */
  prefix: 'v' | '';
  /** The numeric parts, at least one. */
  numbers: number[];
  /** Variant after the numbers, including its leading dash (`-slim-bookworm`), or ''. */
  suffix: string;
  /** A release candidate, alpha or beta: never offered as an update, never updated from. */
  prerelease: boolean;
}

const VERSION_TAG = /^(v?)(\d+(?:\.\d+)*)(.*)$/;
// Written right after the numbers: `3.13.0rc1`, `1.0a1`, `2.0b2`, `1.0beta`.
const ATTACHED_PRERELEASE = /^(?:rc|alpha|beta|pre)\.?\d*|^[ab]\d+/i;
// First dash-separated word of a suffix: `-rc.1`, `-rc1`, `-beta`, `-alpha.2`, `-preview`.
const SUFFIX_PRERELEASE = /^-(?:rc|alpha|beta|pre|preview)(?:[.]?\d+)?(?:-|$)/i;

/** Where a tag's version numbers stand, the part tag updates change: `1.2.3` of `v1.2.3-alpine`. */
export function versionNumbersSpan(tag: string): { start: number; end: number } | null {
  const match = VERSION_TAG.exec(tag);
  if (!match) return null;
  const start = match[1]!.length;
  return { start, end: start + match[2]!.length };
}

/** Parses a version tag; null for tags that are not versions (`latest`, `bookworm`, `nonroot`). */
export function parseTagVersion(tag: string): TagVersion | null {
  const match = VERSION_TAG.exec(tag);
  if (!match) return null;
  const [, prefix = '', digits = '', rest = ''] = match;
  const numbers = digits.split('.').map(Number);
  if (!numbers.every(Number.isSafeInteger)) return null;
  const attached = ATTACHED_PRERELEASE.exec(rest);
  if (attached) {
    const after = rest.slice(attached[0].length);
    if (after !== '' && !after.startsWith('-')) return null;
    return { prefix: prefix as TagVersion['prefix'], numbers, suffix: after, prerelease: true };
  }
  if (rest !== '' && !rest.startsWith('-')) return null;
  return {
    prefix: prefix as TagVersion['prefix'],
    numbers,
    suffix: rest,
    prerelease: SUFFIX_PRERELEASE.test(rest),
  };
}

/** Orders two number lists of the same length; negative when `a` is older. */
function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Whether the two tags are versions of the same line: same prefix, suffix and part count. */
function sameLine(a: TagVersion, b: TagVersion): boolean {
  return a.prefix === b.prefix && a.suffix === b.suffix && a.numbers.length === b.numbers.length;
}

/** Which kinds a tag of this precision can get: `20` only major, `1.25` minor or major. */
export function possibleKinds(tag: string): TagUpdateKind[] {
  const version = parseTagVersion(tag);
  if (!version || version.prerelease) return [];
  const parts = version.numbers.length;
  if (parts === 1) return ['major'];
  if (parts === 2) return ['minor', 'major'];
  return ['patch', 'minor', 'major'];
}

/**
 * The kind of update from `current` to `candidate`, or null when the candidate is not a newer
 * release of the same line (different suffix, prefix or precision, a prerelease, older, equal).
 */
export function updateKind(current: string, candidate: string): TagUpdateKind | null {
  const from = parseTagVersion(current);
  const to = parseTagVersion(candidate);
  if (!from || !to || from.prerelease || to.prerelease || !sameLine(from, to)) return null;
  const changed = from.numbers.findIndex((n, i) => n !== to.numbers[i]);
  if (changed < 0 || compareNumbers(to.numbers, from.numbers) <= 0) return null;
  if (changed === 0) return 'major';
  return changed === 1 ? 'minor' : 'patch';
}

export interface TagUpdate {
  tag: string;
  kind: TagUpdateKind;
}

/**
 * The candidates whose kind of update is allowed, highest version first. Kinds are exact: allowing
 * only `minor` does not offer a patch-only bump. Ties between equal versions written differently
 * (`1.02` / `1.2`) go to the lexically smallest tag first, so the order is deterministic.
 */
export function rankUpdates(current: string, candidates: string[], allowed: OfferedKind[]): TagUpdate[] {
  const ranked: Array<{ update: TagUpdate; numbers: number[] }> = [];
  for (const tag of candidates) {
    const kind = updateKind(current, tag);
    if (kind && allowed.includes(kind))
      ranked.push({ update: { tag, kind }, numbers: parseTagVersion(tag)!.numbers });
  }
  ranked.sort(
    (a, b) =>
      compareNumbers(b.numbers, a.numbers) ||
      (a.update.tag < b.update.tag ? -1 : a.update.tag > b.update.tag ? 1 : 0),
  );
  return ranked.map((r) => r.update);
}
