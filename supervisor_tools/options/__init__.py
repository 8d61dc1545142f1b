"""The option table and the value types: the one place that says what every option means."""
