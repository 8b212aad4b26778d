-- Fleet knowledge: the per-device facts behind the aggregate counters, open corruption per family,
-- baselines, alerts (once per condition), webhooks with their delivery outbox, and daily trend snapshots.

-- Every (scope, key) fact a device contributes to aggregate_counters; diffed on each state change so
-- counters move by +1/-1, and used as the filter index of the device list (kb/state, HRESULT, family).
CREATE TABLE fleet_device_keys (
  scope          TEXT NOT NULL,
  key            TEXT NOT NULL,
  device_id      TEXT NOT NULL,
  PRIMARY KEY (scope, key, device_id)
) WITHOUT ROWID;
CREATE INDEX fleet_device_keys_device ON fleet_device_keys (device_id);

-- Open corruption per family and device, with the span of its evidence (epoch ms), so a cluster's
-- first/last seen are index lookups instead of scans.
CREATE TABLE fleet_device_families (
  family         TEXT NOT NULL,
  device_id      TEXT NOT NULL,
  first_seen_at  INTEGER NOT NULL,
  last_seen_at   INTEGER NOT NULL,
  PRIMARY KEY (family, device_id)
) WITHOUT ROWID;
CREATE INDEX fleet_device_families_device ON fleet_device_families (device_id);
CREATE INDEX fleet_device_families_first ON fleet_device_families (family, first_seen_at);
CREATE INDEX fleet_device_families_last ON fleet_device_families (family, last_seen_at);

CREATE TABLE baselines (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  kb             TEXT NOT NULL,
  applies_to     INTEGER NOT NULL,
  due_date       TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  created_by     TEXT NOT NULL
);

-- One row per raised alert. An open row (cleared_at NULL) is the persisted condition: the partial
-- unique index makes a condition fire once until it clears and re-arms.
CREATE TABLE alerts (
  id             INTEGER PRIMARY KEY,
  kind           TEXT NOT NULL,
  condition_key  TEXT NOT NULL,
  subject        TEXT NOT NULL,
  message        TEXT NOT NULL,
  details        TEXT NOT NULL DEFAULT '{}',
  raised_at      INTEGER NOT NULL,
  cleared_at     INTEGER
);
CREATE UNIQUE INDEX alerts_open_condition ON alerts (condition_key) WHERE cleared_at IS NULL;
CREATE INDEX alerts_kind_open ON alerts (kind, cleared_at);

CREATE TABLE webhooks (
  id             INTEGER PRIMARY KEY,
  url            TEXT NOT NULL,
  secret         TEXT NOT NULL,
  kinds          TEXT NOT NULL,
  enabled        INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL,
  created_by     TEXT NOT NULL
);

-- Webhook deliveries: written in the same transaction as the alert, sent and retried with backoff.
CREATE TABLE webhook_outbox (
  id             INTEGER PRIMARY KEY,
  webhook_id     INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  alert_id       INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  body           TEXT NOT NULL,
  attempts       INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at   INTEGER,
  failed_at      INTEGER,
  last_status    INTEGER,
  last_error     TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

-- One snapshot per UTC day, kept at least 400 days.
CREATE TABLE trend_snapshots (
  day            TEXT PRIMARY KEY,
  taken_at       INTEGER NOT NULL,
  devices        INTEGER NOT NULL,
  failing_devices INTEGER NOT NULL,
  devices_with_corruption INTEGER NOT NULL,
  compliance_percent REAL,
  families       TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
