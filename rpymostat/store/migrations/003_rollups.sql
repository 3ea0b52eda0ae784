-- Multi-resolution history: per sensor and level (bucket size in seconds),
-- the count, sum, minimum and maximum of the non-null readings whose time
-- falls in [at, at + level). Kept in step with readings by record_readings,
-- inside the same transaction as each new reading.
CREATE TABLE rollups (
    level INTEGER NOT NULL,
    sensor_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    count INTEGER NOT NULL,
    total REAL NOT NULL,
    minimum REAL NOT NULL,
    maximum REAL NOT NULL,
    PRIMARY KEY (level, sensor_id, at)
) STRICT, WITHOUT ROWID;

-- Readings stored before this version get their rollups now; each coarser
-- level is built from the one below it (the same sums, far fewer rows).
INSERT INTO rollups (level, sensor_id, at, count, total, minimum, maximum)
    SELECT 300, sensor_id, CAST(at / 300 AS INTEGER) * 300 AS bucket,
           count(value), sum(value), min(value), max(value)
    FROM readings WHERE value IS NOT NULL GROUP BY sensor_id, bucket;
INSERT INTO rollups (level, sensor_id, at, count, total, minimum, maximum)
    SELECT 3600, sensor_id, (at / 3600) * 3600 AS bucket, sum(count), sum(total), min(minimum), max(maximum)
    FROM rollups WHERE level = 300 GROUP BY sensor_id, bucket;
INSERT INTO rollups (level, sensor_id, at, count, total, minimum, maximum)
    SELECT 86400, sensor_id, (at / 86400) * 86400 AS bucket, sum(count), sum(total), min(minimum), max(maximum)
    FROM rollups WHERE level = 3600 GROUP BY sensor_id, bucket;
