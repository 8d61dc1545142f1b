"""`svtool lsp`: the editor's face of svtool, a Language Server Protocol server over stdio.

Like the command line, it hands each request to the layers below: diagnostics come from the
linter with the settings `svtool lint` would use, hover and completion from the option table,
code actions from the linter's certain fixes and its suppression comments. Nothing imports it
but the command line.
"""
