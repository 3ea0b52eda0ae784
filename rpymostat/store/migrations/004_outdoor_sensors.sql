-- A sensor the user marked as outdoor: kept in history and given to the
-- weather plugins, never counted as an indoor temperature.
ALTER TABLE sensors ADD COLUMN outdoor INTEGER NOT NULL DEFAULT 0;
