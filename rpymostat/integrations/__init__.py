"""Optional bridges from the engine to other systems (Prometheus, MQTT, InfluxDB, AMQP), each off by default."""
