"""One SPARQL call to a remote endpoint, with the limits every outgoing call keeps.

Both the federated ``SERVICE`` gateway and ``kg links check`` go through here, so a
remote call always has a deadline, a size cap and a User-Agent that names the project,
and its failures come back as kinds a caller can tell apart (unreachable, timeout, too
large, any other error).
"""

import http.client
import json
import time
import urllib.parse
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


@dataclass(frozen=True)
class Answer:
    """A remote answer: the raw bytes and their media type, passed on unchanged."""

    body: bytes
    content_type: str


def post(endpoint: str, body: bytes, content_type: str, accept: str, limits: Limits) -> Answer:
    """POST ``body`` to ``endpoint`` and read the answer within ``limits``.

    Redirects are not followed: one could lead to an endpoint nobody allowed.
    """
    deadline = time.monotonic() + limits.timeout
    url = urllib.parse.urlsplit(endpoint)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise RemoteError(f"{endpoint} is not an http(s) URL")
    connection_class = http.client.HTTPSConnection if url.scheme == "https" else (
        http.client.HTTPConnection)
    connection = connection_class(url.hostname, url.port, timeout=limits.timeout)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    try:
        connection.request("POST", path, body=body, headers={
            "Content-Type": content_type,
            "Accept": accept,
            "User-Agent": limits.user_agent,
        })
        # Kept: getresponse() drops connection.sock when the server will close, but the
        # response still reads from this socket.
        sock = connection.sock
        _bound(sock, deadline)
        response = connection.getresponse()
        if 300 <= response.status < 400:
            raise RemoteError(f"{endpoint} redirected ({response.status}) to "
                              f"{response.getheader('Location')}; not followed")
        if response.status >= 400:
            detail = response.read(500).decode("utf-8", "replace").strip()
            raise RemoteError(f"{endpoint} answered HTTP {response.status}: {detail}")
        chunks, size = [], 0
        while True:
            # Each read may only wait for what is left of the deadline, so a server that
            # drips a byte at a time is cut off at the deadline too.
            _bound(sock, deadline)
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limits.max_bytes:
                raise RemoteTooLarge(
                    f"{endpoint} answered more than {limits.max_bytes} bytes; cut off")
            chunks.append(chunk)
        return Answer(b"".join(chunks), response.getheader("Content-Type", ""))
    except TimeoutError as error:
        raise RemoteTimeout(f"{endpoint} did not answer within {limits.timeout:g} s") from error
    except http.client.HTTPException as error:
        raise RemoteError(f"{endpoint} answered something that is not HTTP: {error}") from error
    except OSError as error:  # refused, unreachable, DNS, TLS
        raise Unreachable(f"cannot reach {endpoint}: {error}") from error
    finally:
        connection.close()


def _bound(sock, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    sock.settimeout(remaining)


def select(endpoint: str, query: str, limits: Limits) -> list[dict]:
    """Run a SELECT query remotely; its bindings as SPARQL JSON results rows."""
    answer = post(endpoint, query.encode("utf-8"), "application/sparql-query",
                  "application/sparql-results+json", limits)
    try:
        return json.loads(answer.body)["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as error:
        raise RemoteError(f"{endpoint} did not answer with SPARQL JSON results") from error
