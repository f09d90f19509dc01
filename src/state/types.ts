// What Freshbase keeps that GitHub cannot: small records of its own observations (first-seen
// times of digests today). Two stores implement it: a file under FRESHBASE_DATA_DIR (default) and
// Redis (REDIS_URL). Losing a store only delays work; nothing read from it may make the app act early.

/** String records in namespaces, written once: the first value stored for a key stays. */
export interface StateStore {
  /**
   * For each entry, the value stored for its key before, or the entry's value, now stored. Two
   * processes racing on one key get the same answer once both have written (the first write wins).
   */
  putIfAbsent(
    namespace: string,
    entries: ReadonlyArray<readonly [key: string, value: string]>,
  ): Promise<string[]>;
  close(): Promise<void>;
}

/** Where a store says what went wrong with its data (a corrupt file, a lost Redis). */
export interface StateLogger {
  warn(message: string): void;
}
