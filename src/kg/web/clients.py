"""Who a request comes from, and each client's fair share of the query evaluators.

A client is an address: the connection's, or, when the connection comes from one of
the operator's trusted reverse proxies (``KG_TRUSTED_PROXIES``), the last address in
``X-Forwarded-For`` that is not such a proxy. Each client may have ``client_queries``
queries evaluating at once and use ``client_query_time`` seconds of evaluation per
minute (a leaky bucket: the time spent drains at that rate, as the Wikidata Query
Service's 60 s per 60 s does); beyond either it gets 429 with ``Retry-After`` while other
clients keep being served. Answers from the cache cost nothing and are never refused.

The accounts live in a small table in shared memory that the server creates before it
forks its HTTP workers, so a client's share is the same whichever worker answers it.
"""

import ctypes
import hashlib
import ipaddress
import math
import mmap
import multiprocessing
import socket
import time

from kg.store import Caller, TooManyQueries

#: Seconds over which ``client_query_time`` is granted.
WINDOW = 60.0
#: Clients tracked at once; a new client takes the slot of one with nothing running and
#: the least time spent, among the few its address hashes to.
TABLE_SIZE = 4096
_PROBES = 16


class _Account(ctypes.Structure):
    _fields_ = [("key", ctypes.c_uint64), ("running", ctypes.c_int32),
                ("spent", ctypes.c_double), ("stamp", ctypes.c_double)]


class Ledger:
    """Running queries and recent query time per client, shared by the HTTP workers."""

    def __init__(self, max_running: int, seconds_per_minute: float):
        self.max_running = max_running
        self.seconds_per_minute = seconds_per_minute
        self._memory = mmap.mmap(-1, ctypes.sizeof(_Account) * TABLE_SIZE)  # shared on fork
        self._accounts = (_Account * TABLE_SIZE).from_buffer(self._memory)
        self._lock = multiprocessing.get_context("fork").Lock()

    @property
    def enabled(self) -> bool:
        return self.max_running > 0 or self.seconds_per_minute > 0

    def _drained(self, account: _Account, now: float) -> float:
        rate = self.seconds_per_minute / WINDOW
        return max(0.0, account.spent - (now - account.stamp) * rate)

    def _account(self, key: int, now: float) -> _Account:
        start = key % TABLE_SIZE
        candidates = [self._accounts[(start + i) % TABLE_SIZE] for i in range(_PROBES)]
        for account in candidates:
            if account.key == key:
                return account
        idle = [a for a in candidates if a.running == 0] or candidates
        account = min(idle, key=lambda a: (a.key != 0, self._drained(a, now)))
        account.key, account.running, account.spent, account.stamp = key, 0, 0.0, now
        return account

    def admit(self, client: str) -> None:
        """Count one more running query for ``client``, or raise ``TooManyQueries``."""
        key = _key(client)
        with self._lock:
            now = time.monotonic()
            account = self._account(key, now)
            spent = self._drained(account, now) if self.seconds_per_minute else 0.0
            if self.max_running and account.running >= self.max_running:
                raise TooManyQueries(
                    f"you have {account.running} queries running, the most one client may "
                    "have at once; retry when one has finished", retry_after=1)
            if self.seconds_per_minute and spent >= self.seconds_per_minute:
                wait = (spent - self.seconds_per_minute) / (self.seconds_per_minute / WINDOW)
                raise TooManyQueries(
                    f"your queries used {spent:.0f} s of the {self.seconds_per_minute:g} s of "
                    f"query time one client gets per {WINDOW:g} s; retry later",
                    retry_after=max(1, math.ceil(wait)))
            account.running += 1
            account.spent, account.stamp = spent, now

    def release(self, client: str, seconds: float) -> None:
        """One of ``client``'s queries is over; it evaluated for ``seconds``."""
        key = _key(client)
        with self._lock:
            now = time.monotonic()
            account = self._account(key, now)
            account.spent = self._drained(account, now) + seconds
            account.stamp = now
            account.running = max(0, account.running - 1)


def _key(client: str) -> int:
    return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest()) or 1


def networks(values: tuple[str, ...]) -> tuple:
    """The trusted proxies as networks; a bad entry fails at start, not per request."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _is_trusted(address: str, trusted: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(environ: dict, trusted: tuple) -> str:
    """The client's address: the peer's, or the forwarded one behind a trusted proxy."""
    peer = environ.get("REMOTE_ADDR", "")
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


class Client(Caller):
    """The caller of one HTTP request: its address's share, and its connection."""

    def __init__(self, address: str, ledger: Ledger, connection: socket.socket | None):
        self.address = address
        self.ledger = ledger
        self.connection = connection

    def admit(self) -> None:
        if self.ledger.enabled:
            self.ledger.admit(self.address)

    def release(self, seconds: float) -> None:
        if self.ledger.enabled:
            self.ledger.release(self.address, seconds)
