import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeEnvironment, emptyMeansUnset, enumVariable, integerVariable, jsonVariable, nonEmptyVariable } from './config.ts';

const Keys = t.array(t.type({ key: t.string, roles: t.array(t.keyof({ admin: null, client: null })) }));

test('decodes every variable, with defaults left to the caller for absent optional ones', (t) => {
  const decoded = decodeEnvironment(
    { PORT: '8081', MODE: 'FULL', KEYS: '[{"key":"k","roles":["admin"]}]', EMPTY: '' },
    { PORT: integerVariable('port', 1, 65535) },
    { MODE: enumVariable(['FULL', 'NORMAL']), KEYS: jsonVariable(Keys), EMPTY: emptyMeansUnset(integerVariable('n', 0, 1)) },
  );
  t.deepEqual(decoded, E.right({ PORT: 8081, MODE: 'FULL', KEYS: [{ key: 'k', roles: ['admin'] }] }));
});

test('reports every bad variable by name, with the path inside JSON values', (t) => {
  const decoded = decodeEnvironment(
    { PORT: 'eighty', KEYS: '[{"key":"k","roles":["root"]}]', MODE: 'FAST' },
    { PORT: integerVariable('port', 1, 65535), MISSING: integerVariable('n', 0, 9) },
    { MODE: enumVariable(['FULL', 'NORMAL']), KEYS: jsonVariable(Keys) },
  );
  t.true(E.isLeft(decoded));
  const report = E.isLeft(decoded) ? decoded.left : [];
  t.true(report.includes('PORT: must be an integer from 1 to 65535'));
  t.true(report.includes('MISSING: is required'));
  t.true(report.includes('MODE: must be one of FULL, NORMAL'));
  t.true(
    report.some((line) => line.startsWith('KEYS/0/roles/0:')),
    report.join('\n'),
  );
});

test('a JSON variable that is not JSON says so', (t) => {
  const decoded = decodeEnvironment({ KEYS: '[{' }, {}, { KEYS: jsonVariable(Keys) });
  t.true(E.isLeft(decoded) && decoded.left[0]!.startsWith('KEYS: is not valid JSON'));
});

test('an empty value is an error unless the variable says it means unset', (t) => {
  const decoded = decodeEnvironment(
    { SECRET: '', KNOB: '', NEEDED: '', NEEDED_KNOB: '' },
    { NEEDED: nonEmptyVariable, NEEDED_KNOB: emptyMeansUnset(integerVariable('n', 0, 9)) },
    { SECRET: nonEmptyVariable, KNOB: emptyMeansUnset(integerVariable('n', 0, 9)) },
  );
  t.deepEqual(
    decoded,
    E.left([
      'NEEDED: is set but empty: give it a value',
      'NEEDED_KNOB: is set but empty: give it a value',
      'SECRET: is set but empty: give it a value, or unset it to use the default',
    ]),
  );
});

test('a JSON variable that is not JSON never has its text in the report', (t) => {
  for (const text of ['s3cr3t-s3cr3t', '[{"key":"s3cr3t"', '[{"key":"s3cr3t",]', '{"key":"s3cr3t"} s3cr3t']) {
    const decoded = decodeEnvironment({ KEYS: text }, {}, { KEYS: jsonVariable(Keys) });
    const report = E.isLeft(decoded) ? decoded.left.join('\n') : '';
    t.true(report.startsWith('KEYS: is not valid JSON'), report);
    t.false(report.includes('s3cr3t'), report);
  }
});
