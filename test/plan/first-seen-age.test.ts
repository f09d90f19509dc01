// How long ago Freshbase first saw a digest, as people read it.
import { firstSeenAge } from '../../src/plan/first-seen-age.js';

const NOW = new Date('2025-06-02T10:00:00Z');

test('the date, then whole days ago; under a day is today, and a clock skew never goes negative', () => {
  expect(firstSeenAge(new Date('2025-05-30T08:00:00Z'), NOW)).toBe('2025-05-30 (3 days ago)');
  expect(firstSeenAge(new Date('2025-06-01T09:59:59Z'), NOW)).toBe('2025-06-01 (1 day ago)');
  expect(firstSeenAge(new Date('2025-06-01T10:00:01Z'), NOW)).toBe('2025-06-01 (today)');
  expect(firstSeenAge(new Date('2025-06-03T00:00:00Z'), NOW)).toBe('2025-06-03 (today)');
});
