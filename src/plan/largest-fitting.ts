// The largest part that fits a size limit, found by bisection rather than by trying every count.

/**
 * The largest count in `least..most` that `fits`, where what is measured grows with the count (if
 * a count fits, every smaller one does). `least` is the answer even when it does not fit: callers
 * use it for what must always go in.
 */
export function largestFitting(least: number, most: number, fits: (count: number) => boolean): number {
  let low = least;
  let high = most;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}
