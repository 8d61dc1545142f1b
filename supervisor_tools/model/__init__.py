"""From syntax to what supervisord would run: includes, expansion, defaults, groups."""

from supervisor_tools.model.resolve import LoadResult, load

__all__ = ["LoadResult", "load"]
