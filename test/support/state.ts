// A real file state store in a fresh temporary directory, for tests that scan.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileStateStore } from '../../src/state/file-store.js';
import type { StateStore } from '../../src/state/types.js';

export function temporaryDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'freshbase-state-'));
}

/** `warnings` collects what the store warns about. */
export function temporaryStateStore(warnings: string[] = []): StateStore {
  return createFileStateStore({ directory: temporaryDataDir(), log: { warn: (m) => void warnings.push(m) } });
}
