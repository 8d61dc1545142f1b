"""The web console of `svtool run` (routes in console.py, the page in index.html/console.*)."""
