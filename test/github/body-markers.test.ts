// The app's hidden PR-body markers count only on a line of their own, so registry text cannot forge them.
import { expect, test } from '@jest/globals';
import { hasMarker } from '../../src/github/body-markers.js';
import { CLOSED_BY_APP_MARKER, UPDATES_STOPPED_MARKER } from '../../src/github/app-pulls.js';
import { automergeRefusedMark } from '../../src/github/automerge.js';
import { DECORATED_MARKER, DECORATING_MARKER } from '../../src/github/decorations.js';
import { MARKER_ROOM_BYTES } from '../../src/plan/body.js';

test.each<[string, string, boolean]>([
  ['on a line of its own', `body\n${CLOSED_BY_APP_MARKER}`, true],
  ['first line, with CRLF and spaces', ` ${CLOSED_BY_APP_MARKER} \r\nbody`, true],
  ['inside a code span', `| \`${CLOSED_BY_APP_MARKER}\` |`, false],
  ['after other text on its line', `note ${CLOSED_BY_APP_MARKER}`, false],
  ['absent', 'body', false],
])('%s', (_what, body, expected) => {
  expect(hasMarker(body, CLOSED_BY_APP_MARKER)).toBe(expected);
});

test('every marker the app may append to one body fits the room the rendered body leaves', () => {
  const longestDecoration = [DECORATED_MARKER, DECORATING_MARKER].sort((a, b) => b.length - a.length)[0];
  const appended = [
    longestDecoration,
    automergeRefusedMark('squash'),
    CLOSED_BY_APP_MARKER,
    UPDATES_STOPPED_MARKER,
  ]
    .map((marker) => `\r\n${marker}`)
    .join('');
  expect(new TextEncoder().encode(appended).length).toBeLessThanOrEqual(MARKER_ROOM_BYTES);
});
