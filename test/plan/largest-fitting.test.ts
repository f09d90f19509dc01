import { largestFitting } from '../../src/plan/largest-fitting.js';

test.each([
  [0, 10, 4, 4],
  [0, 10, 10, 10],
  [0, 10, 0, 0],
  [0, 10, -1, 0], // nothing fits: the least is the answer
  [1, 7, 0, 1], // callers that always take one
  [3, 3, 9, 3],
  [0, 1000, 617, 617],
])('in %i..%i where counts up to %i fit: %i', (least, most, limit, expected) => {
  const asked: number[] = [];
  const found = largestFitting(least, most, (count) => {
    asked.push(count);
    return count <= limit;
  });
  expect(found).toBe(expected);
  // Bisection: never a count outside the range, and about log2 of it questions.
  expect(asked.every((count) => count > least && count <= most)).toBe(true);
  expect(asked.length).toBeLessThanOrEqual(Math.ceil(Math.log2(most - least + 1)) + 1);
});
