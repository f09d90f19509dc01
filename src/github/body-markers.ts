// The app's hidden markers in a PR body count only on a line of their own, where the app writes
// them: registry text in the body (labels, package and platform names, inside code spans) can
// contain the same characters, and must not be able to stop or start anything the markers decide.

/** Whether `body` carries `marker` on a line of its own (GitHub may store the line ends as CRLF). */
export function hasMarker(body: string, marker: string): boolean {
  return body.split('\n').some((line) => line.trim() === marker);
}
