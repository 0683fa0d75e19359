"""Django's Redis cache backend, with one client object per connection pool.

Django builds a new ``redis.Redis`` for every operation; redis-py's
constructor fills its response-callback table each time, which costs more
than the round trip itself (about 0.2 ms, measured in docs/performance.md).
A client is safe to share between threads (each command takes a connection
from the pool), so one per pool is kept and reused.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
