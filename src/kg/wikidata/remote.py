"""One SPARQL call to a remote endpoint, with the limits every outgoing call keeps.

Both the federated ``SERVICE`` gateway and ``kg links check`` go through here, so a
remote call always has a deadline, a size cap and a User-Agent that names the project,
and its failures come back as kinds a caller can tell apart (unreachable, timeout, too
large, any other error).
"""

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from kg.wikidata import USER_AGENT

#: Seconds a remote call may take in all (connect, wait, read), unless configured.
DEFAULT_TIMEOUT = 10.0
#: Bytes a remote answer may have at most, unless configured: ample for a join on a
#: few hundred items, small enough that one answer cannot fill a worker's memory.
DEFAULT_MAX_BYTES = 5_000_000
_CHUNK = 64 * 1024


class RemoteError(Exception):
    """The endpoint answered, but not with a usable result (HTTP error, bad JSON, redirect)."""

    status = 502


class RemoteTimeout(RemoteError):
    """The endpoint did not answer completely within the deadline."""

    status = 504


class RemoteTooLarge(RemoteError):
    """The answer grew beyond the size cap; it was cut off, not used."""

    status = 502


class Unreachable(RemoteError):
    """No connection at all: offline, DNS failure, connection refused."""

    status = 502


@dataclass(frozen=True)
class Limits:
    """What an outgoing call may cost; an operator sets these (KG_SERVICE_*)."""

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    user_agent: str = USER_AGENT


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to an endpoint nobody allowed: refuse it rather than follow.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise RemoteError(f"{req.full_url} redirected ({code}) to {newurl}; not followed")


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Answer:
    """A remote answer: the raw bytes and their media type, passed on unchanged."""

    body: bytes
    content_type: str


def post(endpoint: str, body: bytes, content_type: str, accept: str, limits: Limits) -> Answer:
    """POST ``body`` to ``endpoint`` and read the answer within ``limits``."""
    deadline = time.monotonic() + limits.timeout
    request = urllib.request.Request(endpoint, data=body, method="POST", headers={
        "Content-Type": content_type,
        "Accept": accept,
        "User-Agent": limits.user_agent,
    })
    try:
        with _opener.open(request, timeout=limits.timeout) as response:
            # The socket timeout bounds each read; this watchdog bounds their sum, so a
            # server that drips a byte at a time is still cut off at the deadline.
            watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), response.close)
            watchdog.start()
            try:
                body = _read_capped(response, endpoint, limits.max_bytes)
            finally:
                watchdog.cancel()
            if time.monotonic() >= deadline:
                raise TimeoutError
            return Answer(body, response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace").strip()
        raise RemoteError(f"{endpoint} answered HTTP {error.code}: {detail}") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise _timeout(endpoint, limits) from error
        raise Unreachable(f"cannot reach {endpoint}: {error.reason}") from error
    except (TimeoutError, ValueError, AttributeError) as error:
        # ValueError / AttributeError: the watchdog closed the response under a read.
        raise _timeout(endpoint, limits) from error
    except OSError as error:
        if time.monotonic() >= deadline:
            raise _timeout(endpoint, limits) from error
        raise Unreachable(f"cannot reach {endpoint}: {error}") from error


def _read_capped(response, endpoint: str, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise RemoteTooLarge(f"{endpoint} answered more than {max_bytes} bytes; cut off")
        chunks.append(chunk)
    return b"".join(chunks)


def _timeout(endpoint: str, limits: Limits) -> RemoteTimeout:
    return RemoteTimeout(f"{endpoint} did not answer within {limits.timeout:g} s")


def select(endpoint: str, query: str, limits: Limits) -> list[dict]:
    """Run a SELECT query remotely; its bindings as SPARQL JSON results rows."""
    answer = post(endpoint, query.encode("utf-8"), "application/sparql-query",
                  "application/sparql-results+json", limits)
    try:
        return json.loads(answer.body)["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as error:
        raise RemoteError(f"{endpoint} did not answer with SPARQL JSON results") from error
