"""Generated text, all read from the option table: echo-conf samples, scaffolds and the docs."""
