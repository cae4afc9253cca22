"""The benchmark: a generated city-scale data set, the app under granian, two bare baseline views.

See bench/README.md. Nothing here is imported by the application; the ``bench`` Django app is
installed only by ``bench.settings``.
"""
