"""Whole answers to repeated identical queries, kept until the store changes.

The served data changes only when a load or an update publishes a new version, so an
answer stays right exactly as long as the version it was computed on is current. Each
HTTP worker keeps a small LRU of serialised answers keyed by the whole ``QueryRequest``
(query text, formats, dataset, row cap, base IRI); the first lookup that sees another
version empties it. Only answers are kept: errors, timeouts and refusals are computed
again every time, and the row cap and its ``truncated`` flag are part of what is kept.
"""

import re
import threading
from collections import OrderedDict
from pathlib import Path

from kg.store import Answer, QueryRequest

#: Bytes of answers (with their query texts) kept per HTTP worker, and the largest single
#: answer worth keeping.
MAX_BYTES = 32 * 2**20
MAX_ANSWER_BYTES = 2**20


#: Answers that may differ between two runs on the same data: a remote SERVICE endpoint can
#: change without a new version of ours, and RAND, NOW, UUID, STRUUID and BNODE are
#: evaluated anew on every run. A superset test on the text (a name or string containing
#: these words is merely not cached).
_VARIES_BETWEEN_RUNS = re.compile(r"service|\b(rand|now|uuid|struuid|bnode)\s*\(", re.I)


def cacheable(request: QueryRequest) -> bool:
    """Whether running the request again on the same store version gives the same answer."""
    return _VARIES_BETWEEN_RUNS.search(request.query) is None


def _size(request: QueryRequest, answer: Answer) -> int:
    return len(answer.body) + len(request.query)


class AnswerCache:
    """An LRU of answers (anything with a ``body``) for one store version at a time;
    ``size(key, answer)`` is what an entry counts against ``max_bytes``."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_answer_bytes: int = MAX_ANSWER_BYTES,
                 size=_size):
        self.max_bytes = max_bytes
        self.max_answer_bytes = max_answer_bytes
        self._size = size
        self._answers: OrderedDict[QueryRequest, Answer] = OrderedDict()
        self._bytes = 0
        self._version: Path | None = None
        self._lock = threading.Lock()

    def _follow(self, version: Path | None) -> None:
        if version != self._version:
            self._answers.clear()
            self._bytes = 0
            self._version = version

    def get(self, version: Path | None, request: QueryRequest) -> Answer | None:
        """The answer kept for this request on this store version, if any."""
        with self._lock:
            self._follow(version)
            answer = self._answers.get(request)
            if answer is not None:
                self._answers.move_to_end(request)
            return answer

    def put(self, version: Path | None, request: QueryRequest, answer: Answer) -> None:
        """Keep an answer computed on ``version`` (read before the query was evaluated).

        Dropped when a lookup has seen another version meanwhile: the answer may then come
        from either version.
        """
        if len(answer.body) > self.max_answer_bytes:
            return
        with self._lock:
            if version != self._version or request in self._answers:
                return
            self._answers[request] = answer
            self._bytes += self._size(request, answer)
            while self._bytes > self.max_bytes:
                self._bytes -= self._size(*self._answers.popitem(last=False))

    def __len__(self) -> int:
        return len(self._answers)
