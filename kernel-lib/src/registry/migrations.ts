/** Numbered schema migrations; the schema is a public interface documented in the README. */

/**
 * Migration N brings a database from schema version N-1 to N. Never edit a migration that has
 * shipped: add the next one. The version lives in `PRAGMA user_version`.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the initial schema. Times are integer milliseconds since the Unix epoch (UTC).
  `
  CREATE TABLE experiments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    name          TEXT,
    status        TEXT NOT NULL CHECK (status IN ('running','finished','failed','killed','crashed')),
    seed          INTEGER NOT NULL,
    config        TEXT NOT NULL,
    config_hash   TEXT NOT NULL,
    code_hash     TEXT,
    env           TEXT NOT NULL,
    host          TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    pid_started   INTEGER,
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER,
    heartbeat_at  INTEGER NOT NULL,
    error         TEXT
  );
  CREATE INDEX runs_by_experiment ON runs (experiment_id, started_at);
  CREATE INDEX runs_by_status ON runs (status);
  CREATE INDEX runs_by_started ON runs (started_at);

  -- Every config key flattened ('model.units'), value stored with its own SQLite type so that
  -- numbers compare as numbers and strings as strings. type: number|string|boolean|null|json.
  -- value has no declared type on purpose: any declared type would convert '007' or '1e3'.
  CREATE TABLE params (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value,
    type   TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX params_by_key_value ON params (key, value);

  -- The full metric history, never downsampled. NaN is stored as NULL.
  CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    step   INTEGER NOT NULL,
    value  REAL,
    time   INTEGER NOT NULL,
    PRIMARY KEY (run_id, key, step)
  ) WITHOUT ROWID;

  -- The latest value (highest step) of each metric of each run, with its running min and max.
  CREATE TABLE metrics_latest (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    step   INTEGER NOT NULL,
    value  REAL,
    time   INTEGER NOT NULL,
    min    REAL,
    max    REAL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX metrics_latest_by_key_value ON metrics_latest (key, value);

  CREATE TABLE tags (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX tags_by_key_value ON tags (key, value);

  -- Objects live content-addressed in <registry>/objects/<sha256>.
  CREATE TABLE checkpoints (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, step)
  ) WITHOUT ROWID;
  CREATE INDEX checkpoints_by_sha ON checkpoints (sha256);

  CREATE TABLE artifacts (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, name)
  ) WITHOUT ROWID;
  CREATE INDEX artifacts_by_sha ON artifacts (sha256);

  CREATE TABLE datasets (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    rows    INTEGER NOT NULL,
    columns INTEGER NOT NULL,
    schema  TEXT,  -- JSON [{name, dtype}] of the columns, when known
    source  TEXT,
    PRIMARY KEY (run_id, name)
  ) WITHOUT ROWID;
  `,
  // 2: objects being stored right now. A writer records the object here before it touches the
  // file, and swaps this row for its checkpoint/artifact row in one transaction; gc never removes
  // an object named here or referenced, so no grace period is needed for safety.
  `
  CREATE TABLE object_pins (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    pid_started INTEGER,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX object_pins_by_sha ON object_pins (sha256);
  `,
  // 3: parent/child runs (a sweep and its trials). The key has no ON DELETE action on purpose: a
  // run with children cannot be deleted (SQLite refuses, whatever the client), so no child is
  // silently orphaned; the registry deletes children first when they go in the same call.
  `
  ALTER TABLE runs ADD COLUMN parent_id INTEGER REFERENCES runs(id);
  CREATE INDEX runs_by_parent ON runs (parent_id);
  `,
  // 4: offline-first sync to a team store. `origin` names this registry (a random UUID made once,
  // here) so that its runs keep one identity in every team store; sync_state is, per run and team
  // (a hash of the store's host, port and database, never its password), what has been pushed:
  // each step commits there first and then advances this cursor, so a killed sync resumes.
  `
  CREATE TABLE registry_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO registry_meta (key, value) VALUES ('origin',
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' ||
    substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))));

  CREATE TABLE sync_state (
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    team          TEXT NOT NULL,
    team_run_id   INTEGER NOT NULL,
    metric_steps  TEXT NOT NULL DEFAULT '{}', -- JSON {key: last step pushed}
    points        INTEGER NOT NULL DEFAULT 0, -- metric points pushed
    params        INTEGER NOT NULL DEFAULT 0, -- params pushed (write-once, so a count)
    datasets      INTEGER NOT NULL DEFAULT 0,
    tags          TEXT,                       -- JSON of the tags as last pushed
    checkpoints   TEXT NOT NULL DEFAULT '{}', -- JSON {step: sha256} pushed
    artifacts     TEXT NOT NULL DEFAULT '{}', -- JSON {name: sha256} pushed
    status        TEXT,                       -- the status last pushed (NULL: not yet)
    synced_at     INTEGER NOT NULL,
    PRIMARY KEY (run_id, team)
  ) WITHOUT ROWID;
  `,
  // 5: the model registry (kernel-lib/src/model-registry): named models whose versions point at a
  // run's logged model package. A version keeps the package's and the weights' SHA-256 as they
  // were at registration, so a package changed since is refused, not served. run_id has no ON
  // DELETE action on purpose: a registered run cannot be deleted (its versions go first), and an
  // alias's key on its version keeps an aliased version from being deleted. last_version only
  // grows: a deleted version's number is never given to another run.
  `
  CREATE TABLE models (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    description  TEXT,
    last_version INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
  );

  CREATE TABLE model_versions (
    model_id        INTEGER NOT NULL REFERENCES models(id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    run_id          INTEGER NOT NULL REFERENCES runs(id),
    checkpoint      TEXT NOT NULL CHECK (checkpoint IN ('final','best')),
    artifact_sha256 TEXT NOT NULL, -- the run's "model" artifact at registration
    weights_sha256  TEXT NOT NULL, -- the checkpoint the package named at registration
    note            TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (model_id, version)
  ) WITHOUT ROWID;
  CREATE INDEX model_versions_by_run ON model_versions (run_id);

  CREATE TABLE model_aliases (
    model_id INTEGER NOT NULL,
    alias    TEXT NOT NULL,
    version  INTEGER NOT NULL,
    PRIMARY KEY (model_id, alias),
    FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version)
  ) WITHOUT ROWID;

  -- Every alias change: set (from NULL), moved, or deleted (to NULL); who is user@host.
  CREATE TABLE model_alias_events (
    id           INTEGER PRIMARY KEY,
    model_id     INTEGER NOT NULL REFERENCES models(id),
    alias        TEXT NOT NULL,
    from_version INTEGER,
    to_version   INTEGER,
    who          TEXT NOT NULL,
    at           INTEGER NOT NULL
  );
  CREATE INDEX model_alias_events_by_alias ON model_alias_events (model_id, alias, id);
  `,
  // 6: monitoring (kernel-lib/src/monitor). monitor_samples: requests `labbook serve` sampled, one
  // row per request (its examples and predictions as JSON arrays), written in batches off the
  // request path; model/version are the names clients used, not keys, so a deleted version's
  // traffic stays readable until retention removes it. model_version_profiles: a reference
  // profile attached to a version whose run logged none (models register --reference).
  `
  CREATE TABLE monitor_samples (
    id          INTEGER PRIMARY KEY,
    model       TEXT NOT NULL,
    version     INTEGER NOT NULL,
    at          INTEGER NOT NULL,  -- ms since the epoch, when the answer was sent
    latency_ms  REAL NOT NULL,
    examples    INTEGER NOT NULL,  -- examples in the request (0 when it could not be read)
    input       TEXT,              -- JSON array of the raw examples; NULL for a refused request
    prediction  TEXT,              -- JSON array of the predictions; NULL on an error
    status      INTEGER NOT NULL,  -- the HTTP status answered
    error       TEXT
  );
  CREATE INDEX monitor_samples_by_model ON monitor_samples (model, version, at);

  CREATE TABLE model_version_profiles (
    model_id   INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    sha256     TEXT NOT NULL,      -- of the profile's JSON text
    profile    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (model_id, version),
    FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
