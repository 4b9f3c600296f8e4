// `npm run audit -- verify`: tamper evidence of the event log. The check itself belongs to the event
// store's adapter (it knows how its file is laid out); this command opens what the environment names and
// reports. Until the adapter offers the check, the command says so and exits 2, changing nothing.
import type { EventStoreConfig } from '@meridian/wiring';

export type VerifyDeps = {
  /** Which event store the environment names (the embedded SQLite file when no connection string is set). */
  readonly config: EventStoreConfig;
  /** Where the embedded files are (MERIDIAN_DATA_DIR, resolved). */
  readonly dataDir: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
};

/** Verifies the event log; resolves with the exit status (0 intact, 1 tampered or unreadable, 2 usage). */
export const verifyCommand = async (deps: VerifyDeps): Promise<number> => {
  deps.err('verify: not available yet (tamper evidence of the event log is not built); nothing was checked');
  return 2;
};
