// The BigQuery archive against a real BigQuery (or an emulator at BIGQUERY_API_ENDPOINT): the kernel's
// contract, in the dataset BIGQUERY_DATASET. There is no BigQuery here by default, so without the variable
// the suite is listed as NOT RUN, by name, rather than silently passing.
import { archiveContract, environmentFor } from '@meridian/kernel/testing';
import test from 'ava';
import { createBigQueryArchive } from './archive.ts';

const dataset = environmentFor(test, 'BigQuery archive contract', 'BIGQUERY_DATASET');

const optional = (name: string) => {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
};

if (dataset !== undefined) {
  const projectId = optional('GOOGLE_CLOUD_PROJECT');
  const location = optional('BIGQUERY_LOCATION');
  const apiEndpoint = optional('BIGQUERY_API_ENDPOINT');
  archiveContract(test, {
    name: 'BigQuery',
    endlessQuery:
      'SELECT SUM(a + b) AS total FROM UNNEST(GENERATE_ARRAY(1, 1000000)) AS a, UNNEST(GENERATE_ARRAY(1, 1000000)) AS b, UNNEST(GENERATE_ARRAY(1, 1000)) AS c',
    open: () =>
      createBigQueryArchive({
        dataset,
        ...(projectId !== undefined && { projectId }),
        ...(location !== undefined && { location }),
        ...(apiEndpoint !== undefined && { apiEndpoint }),
      }),
  });
}
