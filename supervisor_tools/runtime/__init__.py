"""svtool run: a supervisord-compatible runtime, its XML-RPC server and its client."""
