"""Where the public statistics become open datasets: the registration point for
``tongban.statistics`` (issue 17).

Each statistics dataset is a :class:`tongban.opendata.registry.Dataset` built from a statistics
selector that reads the fact tables only: ``rows`` from the selector, ``revision`` from the fact
tables' catch-up watermark (so a file is made once per catch-up run, never from the cases). Add
them to the list below; ``OpenDataConfig.ready`` registers them after the built-in ones, and the
page, the downloads and the DCAT catalogue pick them up with no other change. A big one (cases
per service and month, say) sets ``large=True`` to be streamed.
"""

from __future__ import annotations

from tongban.opendata.registry import Dataset


def datasets() -> list[Dataset]:
    """The statistics datasets (none until tongban.statistics provides its selectors)."""
    return []
