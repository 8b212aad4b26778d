-- Core platform tables: devices and their current state, report history, aggregate counters,
-- credentials (enrollment secrets, device keys, users, sessions, API tokens), login throttle, audit log.
-- Server-side times are integer milliseconds since the epoch; times reported by agents stay ISO text.

CREATE TABLE devices (
  id               TEXT PRIMARY KEY,
  hostname         TEXT NOT NULL,
  os_build         TEXT,
  os_major         INTEGER,
  os_revision      INTEGER,
  servicing_stack  TEXT,
  product_name     TEXT,
  edition          TEXT,
  display_version  TEXT,
  architecture     TEXT,
  agent_version    TEXT,
  first_seen_at    INTEGER NOT NULL,
  last_seen_at     INTEGER NOT NULL,
  last_report_id   TEXT NOT NULL,
  last_generated_at TEXT NOT NULL,
  last_sequence    INTEGER,
  stale            INTEGER NOT NULL DEFAULT 0,
  -- JSON object: section name -> content hash of the section as last applied.
  section_hashes   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX devices_last_seen ON devices (last_seen_at);
CREATE INDEX devices_hostname ON devices (hostname);
CREATE INDEX devices_os_build ON devices (os_major, os_revision);

CREATE TABLE device_packages (
  device_id      TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  identity       TEXT NOT NULL,
  kb             TEXT,
  state          TEXT NOT NULL,
  last_result    TEXT,
  record         TEXT NOT NULL,
  PRIMARY KEY (device_id, identity)
) WITHOUT ROWID;
CREATE INDEX device_packages_kb ON device_packages (kb, state) WHERE kb IS NOT NULL;

CREATE TABLE device_failures (
  device_id      TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  ordinal        INTEGER NOT NULL,
  at             TEXT NOT NULL,
  kb             TEXT,
  hresult        TEXT NOT NULL,
  record         TEXT NOT NULL,
  PRIMARY KEY (device_id, ordinal)
) WITHOUT ROWID;
CREATE INDEX device_failures_hresult ON device_failures (hresult);
CREATE INDEX device_failures_kb ON device_failures (kb) WHERE kb IS NOT NULL;

CREATE TABLE device_corruption (
  device_id      TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  ordinal        INTEGER NOT NULL,
  at             TEXT NOT NULL,
  family         TEXT NOT NULL,
  version        TEXT,
  file           TEXT,
  kind           TEXT NOT NULL,
  repaired       INTEGER NOT NULL,
  record         TEXT NOT NULL,
  PRIMARY KEY (device_id, ordinal)
) WITHOUT ROWID;
CREATE INDEX device_corruption_family ON device_corruption (family, version);

CREATE TABLE device_scans (
  device_id      TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  ordinal        INTEGER NOT NULL,
  at             TEXT NOT NULL,
  tool           TEXT NOT NULL,
  result         TEXT,
  record         TEXT NOT NULL,
  PRIMARY KEY (device_id, ordinal)
) WITHOUT ROWID;

CREATE TABLE device_hotfixes (
  device_id      TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  kb             TEXT NOT NULL,
  installed_on   TEXT,
  record         TEXT NOT NULL,
  PRIMARY KEY (device_id, kb)
) WITHOUT ROWID;
CREATE INDEX device_hotfixes_kb ON device_hotfixes (kb);

CREATE TABLE device_update_history (
  device_id      TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  ordinal        INTEGER NOT NULL,
  kb             TEXT,
  result_code    INTEGER NOT NULL,
  hresult        TEXT,
  date           TEXT,
  record         TEXT NOT NULL,
  PRIMARY KEY (device_id, ordinal)
) WITHOUT ROWID;

-- Every accepted report. `body` holds the raw JSON only when the report changed the device's state,
-- and is pruned after the body retention; the row itself stays for history and deduplication.
CREATE TABLE reports (
  report_id      TEXT PRIMARY KEY,
  device_id      TEXT NOT NULL,
  sequence       INTEGER,
  generated_at   TEXT NOT NULL,
  received_at    INTEGER NOT NULL,
  -- applied: newest state, sections rewritten; unchanged: newest, nothing differed; superseded: older than the stored state.
  outcome        TEXT NOT NULL CHECK (outcome IN ('applied', 'unchanged', 'superseded')),
  changed_sections TEXT NOT NULL DEFAULT '',
  body           TEXT
) WITHOUT ROWID;
CREATE INDEX reports_device ON reports (device_id, received_at);
CREATE INDEX reports_received ON reports (received_at);

-- Aggregate counters kept by ingest projections inside the ingest transaction (scope × key → value).
CREATE TABLE aggregate_counters (
  scope          TEXT NOT NULL,
  key            TEXT NOT NULL,
  value          INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;

CREATE TABLE enrollment_secrets (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  secret_hash    TEXT NOT NULL UNIQUE,
  created_at     INTEGER NOT NULL,
  created_by     TEXT NOT NULL,
  expires_at     INTEGER,
  revoked_at     INTEGER,
  uses           INTEGER NOT NULL DEFAULT 0,
  last_used_at   INTEGER
);

CREATE TABLE device_keys (
  id             INTEGER PRIMARY KEY,
  device_id      TEXT NOT NULL,
  key_hash       TEXT NOT NULL UNIQUE,
  secret_id      INTEGER REFERENCES enrollment_secrets (id),
  hostname       TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  revoked_at     INTEGER
);
CREATE INDEX device_keys_device ON device_keys (device_id);

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash  TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
  must_change_password INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  disabled_at    INTEGER,
  last_login_at  INTEGER
);

CREATE TABLE sessions (
  id_hash        TEXT PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  last_seen_at   INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  token_hash     TEXT NOT NULL UNIQUE,
  role           TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
  created_at     INTEGER NOT NULL,
  created_by     TEXT NOT NULL,
  revoked_at     INTEGER,
  last_used_at   INTEGER
);

-- Failed logins per account and per client address within the current window.
CREATE TABLE login_throttle (
  scope          TEXT NOT NULL CHECK (scope IN ('account', 'ip')),
  key            TEXT NOT NULL,
  failures       INTEGER NOT NULL,
  window_start   INTEGER NOT NULL,
  locked_until   INTEGER,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id             INTEGER PRIMARY KEY,
  at             INTEGER NOT NULL,
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,
  target         TEXT,
  details        TEXT,
  ip             TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Small server settings (e.g. the stale threshold changed at run time), JSON values.
CREATE TABLE settings (
  key            TEXT PRIMARY KEY,
  value          TEXT NOT NULL,
  updated_at     INTEGER NOT NULL
) WITHOUT ROWID;
