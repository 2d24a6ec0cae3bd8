"""The SPARQL safety check answers the same from many threads at once (an HTTP worker's)."""

import threading

from kg.web import guard

SERVICE = "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"


def test_the_service_check_refuses_from_sixteen_threads_at_once_without_errors():
    """Found by the load test: concurrent rdflib parses failed with TypeError (500s)."""
    start = threading.Barrier(16)
    outcomes = []

    def check():
        start.wait()
        for _ in range(3):
            try:
                guard.check_query(SERVICE, ())
                outcomes.append("allowed")
            except guard.Refused:
                outcomes.append("refused")
            except Exception as error:  # any other error is the bug
                outcomes.append(repr(error))

    threads = [threading.Thread(target=check) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["refused"] * 48
