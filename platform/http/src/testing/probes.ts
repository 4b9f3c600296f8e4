// Asking a running app what its OpenAPI document promises for the answers the shared HTTP layer gives:
// a method a path does not take is a 405 whose Allow lists the documented methods, an operation that
// needs a key is a 401 without one, each is declared on the operation, and each problem's `type` leads to
// its documentation. Returns what disagrees, one line each (nothing when all agree).

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const recordOf = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Path parameters filled in with a plain value: enough to reach the route, whatever it then decides. */
const concretePath = (path: string) => path.replace(/\{\w+\}/g, 'x');

const declares = (operation: Record<string, unknown>, status: string, header?: string): boolean => {
  const response = recordOf(recordOf(operation['responses'])[status]);
  return header === undefined ? Object.keys(response).length > 0 : recordOf(response['headers'])[header] !== undefined;
};

/** The problem's type must be served as documentation (an HTML page) by the same app. */
const typeLeadsSomewhere = async (baseUrl: string, answer: Response, where: string): Promise<string[]> => {
  if (!answer.headers.get('content-type')?.startsWith('application/problem+json')) return [`${where}: not a problem+json answer`];
  const type = recordOf(await answer.json())['type'];
  if (typeof type !== 'string' || !type.startsWith('/problems/')) return [`${where}: the problem's type is ${String(type)}`];
  const page = await fetch(`${baseUrl}${type}`);
  await page.body?.cancel();
  return page.status === 200 && page.headers.get('content-type')?.startsWith('text/html')
    ? []
    : [`${where}: ${type} is not served as a page (${page.status})`];
};

const probeWrongMethod = async (baseUrl: string, path: string, item: Record<string, unknown>): Promise<string[]> => {
  const documented = methods.filter((method) => item[method] !== undefined);
  const other = methods.find((method) => item[method] === undefined);
  if (other === undefined) return [];
  const answer = await fetch(`${baseUrl}${concretePath(path)}`, { method: other.toUpperCase() });
  const where = `${other.toUpperCase()} ${path}`;
  const expected = [...documented.map((m) => m.toUpperCase()), ...(documented.includes('get') ? ['HEAD'] : [])].sort().join(', ');
  const allowed = (answer.headers.get('allow') ?? '')
    .split(/,\s*/)
    .filter((m) => m !== '' && m !== 'OPTIONS')
    .sort()
    .join(', ');
  const undeclared = documented
    .filter((method) => !declares(recordOf(item[method]), '405', 'Allow'))
    .map((method) => `${method.toUpperCase()} ${path}: 405 with Allow is not declared`);
  if (answer.status !== 405) return [...undeclared, `${where}: answered ${answer.status}, not 405`];
  return [
    ...undeclared,
    ...(allowed === expected ? [] : [`${where}: Allow is "${allowed}", the document has "${expected}"`]),
    ...(await typeLeadsSomewhere(baseUrl, answer, where)),
  ];
};

const probeWithoutKey = async (
  baseUrl: string,
  path: string,
  method: string,
  operation: Record<string, unknown>,
  securedByDefault: boolean,
): Promise<string[]> => {
  const security = operation['security'];
  const secured = Array.isArray(security) ? security.length > 0 : securedByDefault;
  if (!secured) return [];
  const where = `${method.toUpperCase()} ${path}`;
  const answer = await fetch(`${baseUrl}${concretePath(path)}`, { method: method.toUpperCase() });
  const undeclared = declares(operation, '401', 'WWW-Authenticate') ? [] : [`${where}: 401 with WWW-Authenticate is not declared`];
  if (answer.status !== 401) {
    await answer.body?.cancel();
    return [...undeclared, `${where}: answered ${answer.status} without a key, not 401`];
  }
  return [
    ...undeclared,
    ...(answer.headers.has('www-authenticate') ? [] : [`${where}: 401 without WWW-Authenticate`]),
    ...(await typeLeadsSomewhere(baseUrl, answer, where)),
  ];
};

export const probeDocumentedAnswers = async (baseUrl: string, document: unknown): Promise<string[]> => {
  const root = recordOf(document);
  const securedByDefault = Array.isArray(root['security']) && root['security'].length > 0;
  const findings: string[] = [];
  for (const [path, value] of Object.entries(recordOf(root['paths']))) {
    const item = recordOf(value);
    findings.push(...(await probeWrongMethod(baseUrl, path, item)));
    for (const method of methods.filter((m) => item[m] !== undefined))
      findings.push(...(await probeWithoutKey(baseUrl, path, method, recordOf(item[method]), securedByDefault)));
  }
  return findings;
};
