-- Per-baseline compliance in each daily trend snapshot, so the overview draws one line per baseline.
-- The baseline's KB and name are copied: a deleted baseline keeps its history and its label.
CREATE TABLE trend_baseline_snapshots (
  day                TEXT NOT NULL,
  baseline_id        INTEGER NOT NULL,
  kb                 TEXT NOT NULL,
  name               TEXT NOT NULL,
  applicable         INTEGER NOT NULL,
  compliant          INTEGER NOT NULL,
  compliance_percent REAL,
  PRIMARY KEY (day, baseline_id)
) WITHOUT ROWID;
