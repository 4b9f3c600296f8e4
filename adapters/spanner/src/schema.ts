// The store's tables. Terraform creates the database with the same statements
// (infra/spanner.tf reads them from infra/generated/spanner-ddl.json, which `npm run infra:generate`
// writes from `spannerDdl`), so production apps need no right to change the schema; on the emulator (and
// wherever MERIDIAN_PROVISION=true) `provisionSpanner` creates what is missing. Each statement creates one
// named table or index, and a later change of schema is a new statement at the end of the list: what is
// missing is found by name in INFORMATION_SCHEMA, with no migration table (Terraform's DDL cannot write one).
//
// - `streams`: one row per stream, the parent of its events (interleaved: a stream's events live beside
//   it), holding the stream's revision and its hash chain's tip. An append reads and writes only its
//   stream's row, so appends to different streams never conflict.
// - `events`: keyed by (stream, revision); `commit_ts` is the transaction's commit timestamp.
// - `events_by_commit`: the log in commit order, for reading it. A plain index on a commit timestamp is
//   monotonic: every new entry would land at its end, on one split, a hot spot. `shard` (a hash of the
//   stream id) spreads new entries over `logShards` ranges; a log read merges them (ORDER BY commit_ts).
//   It stores every column, so catching up reads the index alone.
// - `requests`: each request id's first decided answer: an append's revisions, or a decision (requests.ts).
// - `log_seals`: the global chain, written by the sealer (chain.ts, sealer.ts).

/** How many ranges the commit-order index is spread over; part of the schema (a new count is a migration). */
export const logShards = 16;

export const shardIds: readonly number[] = Array.from({ length: logShards }, (_, i) => i);

/** Every statement, in order: each creates the table or index it names. */
export const spannerDdl: readonly string[] = [
  `CREATE TABLE streams (
       stream_id STRING(MAX) NOT NULL,
       revision INT64 NOT NULL,
       last_hash STRING(64) NOT NULL,
     ) PRIMARY KEY (stream_id)`,
  `CREATE TABLE events (
       stream_id STRING(MAX) NOT NULL,
       revision INT64 NOT NULL,
       shard INT64 NOT NULL AS (ABS(MOD(FARM_FINGERPRINT(stream_id), ${logShards}))) STORED,
       commit_ts TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
       event_id STRING(36) NOT NULL,
       type STRING(MAX) NOT NULL,
       schema_version INT64 NOT NULL,
       data STRING(MAX) NOT NULL,
       metadata STRING(MAX) NOT NULL,
       stream_hash STRING(64) NOT NULL,
     ) PRIMARY KEY (stream_id, revision),
       INTERLEAVE IN PARENT streams ON DELETE NO ACTION`,
  `CREATE INDEX events_by_commit ON events (shard, commit_ts, stream_id, revision)
       STORING (event_id, type, schema_version, data, metadata, stream_hash)`,
  `CREATE TABLE requests (
       request_id STRING(MAX) NOT NULL,
       fingerprint STRING(MAX) NOT NULL,
       stream_id STRING(MAX) NOT NULL,
       first_revision INT64,
       last_revision INT64,
       decision STRING(MAX),
       recorded_at TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
     ) PRIMARY KEY (request_id)`,
  `CREATE TABLE log_seals (
       seal INT64 NOT NULL,
       through_commit_ts TIMESTAMP NOT NULL,
       through_stream_id STRING(MAX) NOT NULL,
       through_revision INT64 NOT NULL,
       through_position INT64 NOT NULL,
       events INT64 NOT NULL,
       chain_hash STRING(64) NOT NULL,
       sealed_at TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
     ) PRIMARY KEY (seal)`,
].map((statement) => statement.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/, \)/g, ')').trim());

/** The table or index a statement creates. */
export const objectOf = (statement: string): { readonly kind: 'TABLE' | 'INDEX'; readonly name: string } => {
  const match = /^CREATE (TABLE|INDEX) (\w+)/.exec(statement);
  if (match === null) throw new Error(`not a CREATE TABLE or CREATE INDEX statement: ${statement.slice(0, 60)}`);
  return { kind: match[1] === 'TABLE' ? 'TABLE' : 'INDEX', name: match[2]! };
};
