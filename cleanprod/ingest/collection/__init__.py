"""Real-time collection: HTTP batches, MQTT messages and Modbus polls, stored through the import pipeline."""
