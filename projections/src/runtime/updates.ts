// The one format every instant in a read model has.
/**
 * Instants in read models are UTC with milliseconds (`2026-11-21T09:30:00.000Z`): events may carry any
 * offset, and one format makes string order time order, which is what the stores sort by.
 */
const canonicalUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Most instants are already in this form (the platform writes them so): no parse and re-format then. */
export const utc = (instant: string): string => (canonicalUtc.test(instant) ? instant : new Date(instant).toISOString());

/** The later of two UTC instants, so `updatedAt` never moves back when a fact reports an earlier time. */
export const later = (a: string, b: string): string => (a >= b ? a : b);
