"""Optional exports of what the engine sees to other systems (InfluxDB, AMQP, ...)."""
