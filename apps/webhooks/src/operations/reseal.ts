// After the key sealing signing secrets is rotated, every endpoint's secrets are sealed again under the
// new key, so that the previous key can then be dropped from configuration. Run by the webhook service as
// it starts with previous keys configured; harmless to run again, or on two instances at once (each
// endpoint is re-sealed in a transaction that reads it first, and a secret already under the current key
// is left as it is).
import type { DocumentStore, Logger } from '@meridian/kernel';
import type { EndpointDocument } from '@meridian/webhooks';
import { endpointStore, type EndpointStore } from '../storage/endpoint-store.ts';
import type { Secrets } from '../transport/secrets.ts';

export type ResealResult = {
  readonly endpoints: number;
  /** Endpoints with a secret that a previous key sealed, now sealed under the current key. */
  readonly resealed: number;
  /** Endpoints with a secret that no configured key opens: they cannot be signed for until rotated. */
  readonly unreadable: readonly string[];
};

const all = { kind: 'all' } as const;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The endpoint with its secrets under the current key; undefined when they are already. */
export const resealedEndpoint = (endpoint: EndpointDocument, secrets: Secrets): EndpointDocument | undefined => {
  const secret = secrets.reseal(endpoint.secret);
  const previousSecret = endpoint.previousSecret === null ? undefined : secrets.reseal(endpoint.previousSecret);
  if (secret === undefined && previousSecret === undefined) return undefined;
  return {
    ...endpoint,
    ...(secret !== undefined && { secret }),
    ...(previousSecret !== undefined &&
      endpoint.previousSecret !== null && { previousSecret: { ...previousSecret, expiresAt: endpoint.previousSecret.expiresAt } }),
  };
};

const resealOne = async (endpoints: EndpointStore, secrets: Secrets, endpoint: EndpointDocument): Promise<'resealed' | 'current'> => {
  if (resealedEndpoint(endpoint, secrets) === undefined) return 'current';
  // Again inside the transaction: the endpoint may have been rotated or changed since it was listed.
  await endpoints.change(all, endpoint.endpointId, (current) => resealedEndpoint(current, secrets) ?? current);
  return 'resealed';
};

export const resealEndpointSecrets = async (documents: DocumentStore, secrets: Secrets, logger: Logger): Promise<ResealResult> => {
  const endpoints = endpointStore(documents);
  let count = 0;
  let resealed = 0;
  const unreadable: string[] = [];
  let after: string | undefined;
  do {
    const page = await endpoints.list(all, { limit: 200, ...(after !== undefined && { after }) });
    for (const endpoint of page.endpoints) {
      count++;
      try {
        if ((await resealOne(endpoints, secrets, endpoint)) === 'resealed') resealed++;
      } catch (error) {
        // One endpoint's secret that no key opens must not keep the others under the old key.
        unreadable.push(endpoint.endpointId);
        logger.error('webhook secret opens with no configured key', {
          endpointId: endpoint.endpointId,
          clientId: endpoint.clientId,
          error: messageOf(error),
        });
      }
    }
    after = page.next;
  } while (after !== undefined);
  return { endpoints: count, resealed, unreadable };
};

/**
 * Re-seals when keys from before a rotation are configured (nothing to do otherwise), and says how it
 * went: when every secret is under the current key, the previous keys can be removed from configuration.
 */
export const resealAfterRotation = async (
  documents: DocumentStore,
  secrets: Secrets,
  previousKeys: number,
  logger: Logger,
): Promise<void> => {
  if (previousKeys === 0) return;
  try {
    const result = await resealEndpointSecrets(documents, secrets, logger);
    if (result.unreadable.length === 0)
      logger.info('webhook secrets are all sealed under the current key: the previous keys may be removed', {
        endpoints: result.endpoints,
        resealed: result.resealed,
      });
    else
      logger.error("some webhook secrets open with no configured key: rotate those endpoints' secrets", {
        endpoints: result.endpoints,
        resealed: result.resealed,
        unreadable: result.unreadable,
      });
  } catch (error) {
    // Not fatal: secrets under a previous key still open with it; the next start tries again.
    logger.error('re-sealing webhook secrets failed; keep the previous keys configured', { error: messageOf(error) });
  }
};
