// What an existing app PR still needs of the config's labels, assignees and reviewers: only
// additions, compared as GitHub compares names, and only while the PR is marked as being decorated.
import { expect, test } from '@jest/globals';
import {
  DECORATED_MARKER,
  DECORATING_MARKER,
  decorationRepair,
  type Decorations,
  markedDecorated,
  openingBody,
  wantedDecorations,
  withDecorationMark,
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

const BEING_DECORATED = `body\n${DECORATING_MARKER}`;

test.each<[string, Partial<Decorations>, string, Decorations | null]>([
  ['a bare PR needs everything', none, BEING_DECORATED, all],
  ['a fully decorated PR being decorated needs only its mark', all, BEING_DECORATED, none],
  [
    'names compare case-insensitively',
    { ...all, labels: ['DEPS', 'Docker'], assignees: ['Bob'] },
    BEING_DECORATED,
    none,
  ],
  [
    'a PR whose labels failed needs only the labels',
    { ...all, labels: [] },
    BEING_DECORATED,
    { ...none, labels: ['deps', 'docker'] },
  ],
  [
    'what a human added stays; only the missing one is added',
    { ...all, labels: ['deps', 'needs-triage'], assignees: ['bob', 'carol'] },
    BEING_DECORATED,
    { ...none, labels: ['docker'] },
  ],
  [
    'reviewers missing (the request failed) are asked for again',
    { ...all, reviewers: [], teams: [] },
    BEING_DECORATED,
    { ...none, reviewers: ['alice'], teams: ['platform'] },
  ],
  [
    'a PR marked decorated is left alone, whatever a human removed since',
    none,
    `body\n${DECORATED_MARKER}`,
    null,
  ],
  [
    "a mark inside registry text (a code span) is not the app's: the PR is still being decorated",
    none,
    `| \`${DECORATED_MARKER}\` |\n${DECORATING_MARKER}`,
    all,
  ],
  [
    'a decorating mark only inside registry text does not start a repair',
    none,
    `| \`${DECORATING_MARKER}\` |`,
    null,
  ],
  [
    'a mark on its own line counts with a CRLF line end, as GitHub may store a body',
    none,
    `body\r\n${DECORATING_MARKER}\r\n`,
    all,
  ],
  [
    'a PR with neither mark (opened before the app marked PRs) is left alone: a reviewer may have reviewed',
    { ...all, labels: ['deps'], reviewers: [] },
    'body',
    null,
  ],
])('%s', (_what, present, body, expected) => {
  expect(decorationRepair(config, { body, decorations: { ...none, ...present } })).toEqual(expected);
});

test('a config that asks for no decorations opens PRs unmarked, and they never need a repair', () => {
  const bare = { labels: [], assignees: [], reviewers: [] };
  expect(openingBody(bare, 'body')).toBe('body');
  expect(decorationRepair(bare, { body: 'body', decorations: none })).toBe(null);
  expect(openingBody(config, 'body')).toBe(BEING_DECORATED);
});

test('the decoration mark: decorated replaces decorating, and a new text keeps the mark the PR has', () => {
  const decorated = `body\n${DECORATED_MARKER}`;
  expect(markedDecorated(BEING_DECORATED)).toBe(decorated);
  expect(markedDecorated(decorated)).toBe(decorated);
  expect(withDecorationMark(decorated, 'new')).toBe(`new\n${DECORATED_MARKER}`);
  expect(withDecorationMark(BEING_DECORATED, 'new')).toBe(`new\n${DECORATING_MARKER}`);
  expect(withDecorationMark(decorated, `new\n${DECORATING_MARKER}`)).toBe(`new\n${DECORATED_MARKER}`);
  // A PR with neither mark keeps none: rewording it must not make it look half-decorated.
  expect(withDecorationMark('body', `new\n${DECORATING_MARKER}`)).toBe('new');
});
