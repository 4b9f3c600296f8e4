// Requests being handled in this process, by request id (principal and Idempotency-Key). A second request
// with the key while the first is still being handled is not run beside it (draft-ietf-httpapi-idempotency-
// key-header: 409 for a retry of a request in progress, 422 for another request with the key). Across
// processes the event store's first-wins record gives every decided attempt the same answer.
import type { RequestIdentity } from '@meridian/kernel';

export type InFlight = {
  /**
   * Marks the request as being handled; or, if one with its id already is, says whether that one is the same
   * request (`retry`) or another (`reused`). JavaScript runs this check and mark in one step.
   */
  readonly claim: (request: RequestIdentity) => 'claimed' | 'retry' | 'reused';
  readonly release: (request: RequestIdentity) => void;
};

export const createInFlight = (): InFlight => {
  const running = new Map<string, string>();
  return {
    claim: ({ requestId, fingerprint }) => {
      const first = running.get(requestId);
      if (first !== undefined) return first === fingerprint ? 'retry' : 'reused';
      running.set(requestId, fingerprint);
      return 'claimed';
    },
    release: ({ requestId }) => {
      running.delete(requestId);
    },
  };
};
