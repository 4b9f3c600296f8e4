// The ledger's one query: a client's lines on some days, oldest first (Firestore's `in` takes 30 days).
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { physicalCollection, type Generation } from '../runtime/projection.ts';
import { billingLines, type BillingLine } from './ledger.ts';

export const billingQueries = (documents: DocumentStore, generation: Generation) => {
  const ledger = typedCollection(documents, billingLines, physicalCollection(billingLines.name, generation));
  const page = (clientId: string, days: readonly string[], limit: number, after?: string) =>
    ledger.query({
      where: [
        { field: 'clientId', op: '==', value: clientId },
        { field: 'day', op: 'in', value: days },
      ],
      orderBy: { field: 'at', direction: 'asc' },
      limit,
      ...(after !== undefined && { after }),
    });
  const all = async (clientId: string, days: readonly string[]): Promise<BillingLine[]> => {
    const lines: BillingLine[] = [];
    let after: string | undefined;
    do {
      const next = await page(clientId, days, 500, after);
      lines.push(...next.documents.map(({ document }) => document));
      after = next.next;
    } while (after !== undefined);
    return lines;
  };
  return { page, all };
};
