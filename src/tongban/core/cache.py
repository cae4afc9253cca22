"""Django's Redis cache backend, reusing one redis-py client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache
operation. With redis-py 5 and later that constructor fills a case-insensitive table of some 170
response callbacks, which costs more than the network round trip itself (measured: 11 % of a
cached search page, four cache reads per signed-in request). A ``redis.Redis`` client keeps no
state besides its pool and is safe to share (redis-py's own advice is one client per pool), and
Django's cache handler already gives every thread its own backend instance; so one client per
pool is reused. Configure with ``"BACKEND": "tongban.core.cache.RedisCache"``.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
