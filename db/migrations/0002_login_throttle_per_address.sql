-- Sign-in throttling counts failures per (account, address) and per session as well as per account
-- and per address. Every row names its account (NULL for an address), so `admin user unlock` and
-- `reset-password` can clear them all. Old account-wide locks came from the five-failure rule that
-- let anyone lock an account for everyone, so they are not carried over; counts are.
CREATE TEMP TABLE login_throttle_old AS SELECT * FROM login_throttle;
DROP TABLE login_throttle;
CREATE TABLE login_throttle (
  scope          TEXT NOT NULL CHECK (scope IN ('account', 'ip', 'account_ip', 'session')),
  key            TEXT NOT NULL,
  account        TEXT,
  failures       INTEGER NOT NULL,
  window_start   INTEGER NOT NULL,
  locked_until   INTEGER,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX login_throttle_account ON login_throttle (account) WHERE account IS NOT NULL;
INSERT INTO login_throttle (scope, key, account, failures, window_start, locked_until)
  SELECT scope, key,
         CASE scope WHEN 'account' THEN key END,
         failures, window_start,
         CASE scope WHEN 'account' THEN NULL ELSE locked_until END
  FROM login_throttle_old;
DROP TABLE temp.login_throttle_old;
