-- A second enrollment of a device id that is already known no longer replaces its key: it waits here
-- until an admin approves or rejects it. The agent that asked polls with a one-time pickup token
-- (only its SHA-256 is stored) and receives the new key once approved.
CREATE TABLE enrollment_requests (
  id             INTEGER PRIMARY KEY,
  device_id      TEXT NOT NULL,
  hostname       TEXT NOT NULL,
  secret_id      INTEGER REFERENCES enrollment_secrets (id),
  ip             TEXT,
  pickup_hash    TEXT NOT NULL UNIQUE,
  requested_at   INTEGER NOT NULL,
  -- pending: waiting for an admin; approved: the key waits for the agent's next poll;
  -- collected: the agent has its key; rejected: refused by an admin (or another request was approved).
  status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'collected')),
  -- A pending or approved request past this time is expired.
  expires_at     INTEGER NOT NULL,
  decided_at     INTEGER,
  decided_by     TEXT
);
CREATE INDEX enrollment_requests_device ON enrollment_requests (device_id, status);
CREATE INDEX enrollment_requests_status ON enrollment_requests (status, requested_at);

-- The device key whose report set the device's current state: a report under a newer key starts a new
-- sequence epoch, so a sequence forged under an older key cannot hold the device's state.
ALTER TABLE devices ADD COLUMN key_id INTEGER;
