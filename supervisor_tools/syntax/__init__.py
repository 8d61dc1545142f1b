"""Text to syntax tree and back. Knows nothing of what options mean."""
