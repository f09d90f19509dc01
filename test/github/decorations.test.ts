// What an existing app PR still needs of the config's labels, assignees and reviewers: only
// additions, compared as GitHub compares names, and nothing once the PR is marked decorated.
import { expect, test } from '@jest/globals';
import {
  DECORATED_MARKER,
  decorationRepair,
  type Decorations,
  wantedDecorations,
} from '../../src/github/decorations.js';

const config = { labels: ['deps', 'docker'], assignees: ['bob'], reviewers: ['alice', 'acme/platform'] };
const none: Decorations = { labels: [], assignees: [], reviewers: [], teams: [] };
const all: Decorations = {
  labels: ['deps', 'docker'],
  assignees: ['bob'],
  reviewers: ['alice'],
  teams: ['platform'],
};

test('the config names teams as org/team; a team is requested by its slug', () => {
  expect(wantedDecorations(config)).toEqual(all);
});

test.each<[string, Partial<Decorations>, string, Decorations | null]>([
  ['a bare PR needs everything', none, '', all],
  ['a fully decorated PR needs nothing', all, '', null],
  ['names compare case-insensitively', { ...all, labels: ['DEPS', 'Docker'], assignees: ['Bob'] }, '', null],
  [
    'a PR whose labels failed needs only the labels',
    { ...all, labels: [] },
    '',
    { ...none, labels: ['deps', 'docker'] },
  ],
  [
    'what a human added stays; only the missing one is added',
    { ...all, labels: ['deps', 'needs-triage'], assignees: ['bob', 'carol'] },
    '',
    { ...none, labels: ['docker'] },
  ],
  [
    'reviewers missing (the request failed) are asked for again',
    { ...all, reviewers: [], teams: [] },
    '',
    { ...none, reviewers: ['alice'], teams: ['platform'] },
  ],
  [
    'a PR marked decorated is left alone, whatever a human removed since',
    none,
    `body\n${DECORATED_MARKER}`,
    null,
  ],
])('%s', (_what, present, body, expected) => {
  expect(decorationRepair(config, { body, decorations: { ...none, ...present } })).toEqual(expected);
});

test('a config that asks for no decorations never needs a repair', () => {
  expect(
    decorationRepair({ labels: [], assignees: [], reviewers: [] }, { body: '', decorations: none }),
  ).toBe(null);
});
