/** The team store's numbered PostgreSQL migrations: the SQLite registry's tables, typed for PostgreSQL, plus the sweep queue. */

/**
 * Migration N brings a team database from version N-1 to N (kept in `labbook_schema`). Never edit
 * one that has shipped: add the next. Times are integer milliseconds since the Unix epoch (UTC),
 * as in SQLite, so a run reads the same from both stores.
 */
export const PG_MIGRATIONS: readonly string[] = [
  // 1: the registry. Runs come from local SQLite registries by sync: (origin, origin_run_id) names
  // a run in the registry it was recorded in, so pushing it again changes nothing.
  `
  CREATE TABLE experiments (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE runs (
    id            BIGSERIAL PRIMARY KEY,
    experiment_id BIGINT NOT NULL REFERENCES experiments(id),
    name          TEXT,
    status        TEXT NOT NULL CHECK (status IN ('running','finished','failed','killed','crashed')),
    seed          BIGINT NOT NULL,
    config        TEXT NOT NULL,
    config_hash   TEXT NOT NULL,
    code_hash     TEXT,
    env           TEXT NOT NULL,
    host          TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    pid_started   BIGINT,
    started_at    BIGINT NOT NULL,
    ended_at      BIGINT,
    heartbeat_at  BIGINT NOT NULL,
    error         TEXT,
    parent_id     BIGINT REFERENCES runs(id),
    origin        TEXT NOT NULL,
    origin_run_id BIGINT NOT NULL,
    synced_at     BIGINT NOT NULL,
    UNIQUE (origin, origin_run_id)
  );
  CREATE INDEX runs_by_experiment ON runs (experiment_id, started_at);
  CREATE INDEX runs_by_status ON runs (status);
  CREATE INDEX runs_by_started ON runs (started_at);
  CREATE INDEX runs_by_parent ON runs (parent_id);

  -- The (key, value) indexes carry run_id so a filter's semi-join reads the index alone.
  -- A config value keeps its type as SQLite's untyped column does: numbers (and booleans as 1/0)
  -- in num, strings and JSON text in text, null in neither. type: number|string|boolean|null|json.
  CREATE TABLE params (
    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    type   TEXT NOT NULL,
    num    DOUBLE PRECISION,
    text   TEXT,
    PRIMARY KEY (run_id, key)
  );
  CREATE INDEX params_by_key_num ON params (key, num) INCLUDE (run_id);
  CREATE INDEX params_by_key_text ON params (key, text) INCLUDE (run_id);

  -- NaN is stored as NULL, as in SQLite.
  CREATE TABLE metrics (
    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    step   BIGINT NOT NULL,
    value  DOUBLE PRECISION,
    time   BIGINT NOT NULL,
    PRIMARY KEY (run_id, key, step)
  );

  CREATE TABLE metrics_latest (
    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    step   BIGINT NOT NULL,
    value  DOUBLE PRECISION,
    time   BIGINT NOT NULL,
    min    DOUBLE PRECISION,
    max    DOUBLE PRECISION,
    count  BIGINT NOT NULL,
    PRIMARY KEY (run_id, key)
  );
  CREATE INDEX metrics_latest_by_key_value ON metrics_latest (key, value) INCLUDE (run_id, min, max);

  CREATE TABLE tags (
    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
  );
  CREATE INDEX tags_by_key_value ON tags (key, value) INCLUDE (run_id);

  CREATE TABLE checkpoints (
    run_id     BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step       BIGINT NOT NULL,
    sha256     TEXT NOT NULL,
    bytes      BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, step)
  );
  CREATE INDEX checkpoints_by_sha ON checkpoints (sha256);

  CREATE TABLE artifacts (
    run_id     BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes      BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, name)
  );
  CREATE INDEX artifacts_by_sha ON artifacts (sha256);

  CREATE TABLE datasets (
    run_id  BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    rows    BIGINT NOT NULL,
    columns BIGINT NOT NULL,
    schema  TEXT,
    source  TEXT,
    PRIMARY KEY (run_id, name)
  );

  -- The shared content-addressed object store (checkpoints, artifacts): in the database, so that
  -- every worker that can reach the registry can reach the objects, with no shared file system to
  -- mount and secure, and one backup covers both. The sha256 is checked on every write and read.
  CREATE TABLE objects (
    sha256     TEXT PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes      BYTEA NOT NULL,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL
  );
  `,
  // 2: distributed sweeps. A sweep's definition is JSON (checked when read, never executed); its
  // trials are the work queue that workers claim with SELECT ... FOR UPDATE SKIP LOCKED.
  `
  CREATE TABLE sweeps (
    id           BIGSERIAL PRIMARY KEY,
    run_id       BIGINT REFERENCES runs(id),
    experiment   TEXT NOT NULL,
    definition   TEXT NOT NULL,
    seed         BIGINT NOT NULL,
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    status       TEXT NOT NULL CHECK (status IN ('open','done','stopped')),
    created_at   BIGINT NOT NULL
  );

  CREATE TABLE trials (
    sweep_id     BIGINT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL CHECK (number >= 0),
    params       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued','running','complete','pruned','failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    worker       TEXT,
    claimed_at   BIGINT,
    heartbeat_at BIGINT,
    value        DOUBLE PRECISION,
    intermediate TEXT NOT NULL DEFAULT '[]',
    reason       TEXT,
    run_id       BIGINT REFERENCES runs(id),
    ended_at     BIGINT,
    -- The trial list (number, state, value, last reported step) the sampler saw when it proposed this
    -- trial: with the sweep's seed it re-runs the proposal exactly, whatever the workers did.
    proposed_from TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (sweep_id, number)
  );
  CREATE INDEX trials_by_state ON trials (sweep_id, state);
  `,
  // 3: cheaper metric writes (sync's points/s). Metric keys compare bytewise (COLLATE "C", the
  // order reads already ask for): the primary keys' comparisons skip strcoll. Changing it rebuilds
  // those indexes once. metrics loses its foreign key to runs, whose per-row check was a fifth of a
  // point's cost and kept COPY from batching: safe because sync COPYs a run's points only under
  // the id its run row was just written or read back with, and labbook never deletes a run (the
  // worker role may not). A run deleted by hand takes its metrics with it, through the statement
  // triggers below, as ON DELETE CASCADE did; only a delete racing a sync of that very run could
  // leave points no query reaches (every read goes through runs).
  `
  ALTER TABLE metrics ALTER COLUMN key TYPE TEXT COLLATE "C";
  ALTER TABLE metrics_latest ALTER COLUMN key TYPE TEXT COLLATE "C";
  ALTER TABLE metrics DROP CONSTRAINT metrics_run_id_fkey;

  CREATE FUNCTION labbook_metrics_follow_runs() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'TRUNCATE' THEN
      TRUNCATE metrics;
    ELSE
      DELETE FROM metrics m USING gone g WHERE m.run_id = g.id;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER runs_delete_metrics AFTER DELETE ON runs REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION labbook_metrics_follow_runs();
  CREATE TRIGGER runs_truncate_metrics AFTER TRUNCATE ON runs
    FOR EACH STATEMENT EXECUTE FUNCTION labbook_metrics_follow_runs();

  -- The type change rewrote both tables and dropped their statistics: without these the planner
  -- guesses until autovacuum comes by (a search went from 13 to 225 ms on an upgraded store).
  ANALYZE metrics_latest, metrics;
  `,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;
