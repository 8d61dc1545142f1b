"""svtool: parse, lint, convert, generate and run Supervisor configurations."""

__version__ = "0.1.0"
