// One check every HTTP app's tests run on the app as it is built: serve it, read the /openapi.json it
// serves, and compare that document with what the app really does. Everything found is returned, so a
// test can assert it is all empty and show what is not.
import { compileErrors, validate } from '@readme/openapi-parser';
import type Koa from 'koa';
import { serve } from '../server.ts';
import { documentedOperations, servedOperations } from './operations.ts';
import { probeDocumentedAnswers } from './probes.ts';

export type ServedDocumentCheck = {
  /** What the OpenAPI 3.1 validator finds wrong with the document. */
  readonly invalid: string;
  /** Operations a router of the app answers that the document does not have. */
  readonly undocumented: readonly string[];
  /** Operations the document has that no router of the app answers. */
  readonly unserved: readonly string[];
  /** Where the app's answers (405 and Allow, 401) differ from what the document declares. */
  readonly disagreements: readonly string[];
};

export const checkServedDocument = async (app: Koa): Promise<ServedDocumentCheck> => {
  const server = await serve(app);
  try {
    const document: unknown = await (await fetch(`${server.url}/openapi.json`)).json();
    const validation = await validate(structuredClone(document) as never);
    const served = servedOperations(app);
    const documented = documentedOperations(document);
    return {
      invalid: validation.valid ? '' : compileErrors(validation),
      undocumented: served.filter((operation) => !documented.includes(operation)),
      unserved: documented.filter((operation) => !served.includes(operation)),
      disagreements: await probeDocumentedAnswers(server.url, document),
    };
  } finally {
    await server.close(50);
  }
};

export const allAgree: ServedDocumentCheck = { invalid: '', undocumented: [], unserved: [], disagreements: [] };
