"""Converters: the resolved model to systemd units and YAML, and back to supervisor INI."""
