// Every event of one business transaction (one correlationId), and how each led to the next: an event's
// parent is the event whose id is its causationId. Events caused by a command (an id that is no event of
// the transaction) are the roots, grouped under that causationId: one group per command.
import { maxArchivePageSize, type Actor, type EventArchive } from '@meridian/kernel';
import { auditEntryOf, type AuditEntry } from './entry.ts';

export type CausationNode = {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly recordedAt: string;
  readonly actor: Actor;
  readonly children: readonly CausationNode[];
};

export type CausationRoot = {
  /** The command (or anything outside the transaction's events) that caused these events. */
  readonly causationId: string;
  readonly events: readonly CausationNode[];
};

export type CorrelationView = {
  readonly correlationId: string;
  /** In global order. */
  readonly events: readonly AuditEntry[];
  readonly tree: readonly CausationRoot[];
  /** False when the transaction has more events than one answer holds (maxCorrelationEvents). */
  readonly complete: boolean;
};

/** A transaction is a request and its reactions: thousands of events would be a runaway, not an answer. */
export const maxCorrelationEvents = 10_000;

type Node = Omit<CausationNode, 'children'> & { readonly children: Node[] };

const nodeOf = (entry: AuditEntry): Node => ({
  eventId: entry.eventId,
  type: entry.type,
  streamId: entry.streamId,
  revision: entry.revision,
  recordedAt: entry.recordedAt,
  actor: entry.actor,
  children: [],
});

/**
 * The tree over events in global order. A parent must come earlier than its child (a cause precedes its
 * effect), so a corrupt causation can only make a root, never a cycle; and building it needs no recursion.
 */
export const causationTree = (entries: readonly AuditEntry[]): CausationRoot[] => {
  const nodes = entries.map(nodeOf);
  const indexOf = new Map(entries.map((entry, index) => [entry.eventId, index] as const));
  const roots = new Map<string, Node[]>();
  entries.forEach((entry, index) => {
    const node = nodes[index]!;
    const parent = indexOf.get(entry.causationId);
    if (parent !== undefined && parent < index) nodes[parent]!.children.push(node);
    else roots.set(entry.causationId, [...(roots.get(entry.causationId) ?? []), node]);
  });
  return [...roots].map(([causationId, events]) => ({ causationId, events }));
};

export const correlationOf = async (archive: EventArchive, correlationId: string): Promise<CorrelationView> => {
  const entries: AuditEntry[] = [];
  let after: string | undefined;
  do {
    const limit = Math.min(maxArchivePageSize, maxCorrelationEvents + 1 - entries.length);
    const page = await archive.find({ correlationId }, { limit, ...(after !== undefined && { after }) });
    entries.push(...page.events.map(auditEntryOf));
    after = page.next;
  } while (after !== undefined && entries.length <= maxCorrelationEvents);
  const complete = entries.length <= maxCorrelationEvents;
  const events = entries.slice(0, maxCorrelationEvents);
  return { correlationId, events, tree: causationTree(events), complete };
};
