"""``kg serve``: load the store if its sources changed, then serve it with gunicorn.

gunicorn's threaded workers (never Flask's development server) accept requests;
each worker evaluates queries in its own killable evaluator processes
(``kg.store.evaluator``), so a slow query holds one slot, not a worker, and
``/healthz`` keeps answering while queries run.
"""

import logging
import multiprocessing
import sys

from gunicorn.app.base import BaseApplication

from kg import settings as settings_module
from kg.store import open_store
from kg.store.load import build_or_exit, is_stale
from kg.web.clients import Ledger


class _Server(BaseApplication):
    def __init__(self, settings):
        self.settings = settings
        # Made here, in the master, so that every forked worker shares the same accounts.
        self.ledger = Ledger(settings.client_queries, settings.client_query_time)
        super().__init__()

    def load_config(self):
        s = self.settings
        for key, value in {
            "bind": f"{s.host}:{s.port}",
            "workers": s.workers,
            "worker_class": "gthread",
            "threads": s.threads,
            # Our own query timeout answers the client; gunicorn's only catches a stuck worker.
            "timeout": int(s.query_timeout) + 30,
            "graceful_timeout": 10,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "kg-serve",
            # No runtime control socket: one fixed path would clash between servers.
            "control_socket_disable": True,
            # Longest request line gunicorn allows; longer GET queries get 414: use POST.
            "limit_request_line": 8190,
        }.items():
            self.cfg.set(key, value)

    def load(self):
        from kg.web import create_app

        app = create_app(self.settings, ledger=self.ledger)
        app.extensions["kg.store"].start()
        return app


def add_arguments(parser) -> None:
    settings_module.add_arguments(parser)


def run(args) -> int:
    settings = settings_module.Settings.load(args)
    try:
        open_store(settings)  # a wrong backend setting is one line here, not a worker crash
    except ValueError as error:
        print(f"kg serve: {error}", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if settings.store_backend == "local" and is_stale(settings):
        print(f"loading the store into {settings.store} ...", file=sys.stderr)
        # In a child process: RocksDB's background threads do not survive fork(), so
        # the gunicorn master must never open a store itself, or its forked workers
        # would wait forever on the flushes of an update.
        loader = multiprocessing.get_context("spawn").Process(target=build_or_exit,
                                                                args=(settings, "kg serve"))
        loader.start()
        loader.join()
        if loader.exitcode != 0:
            print("kg serve: loading the store failed", file=sys.stderr)
            return 1
    writes = "updates with bearer token" if settings.update_token else "read-only"
    print(f"SPARQL endpoint: http://{settings.host}:{settings.port}/sparql ({writes}, "
          f"{settings.workers} workers x {settings.query_slots} query slots, "
          f"timeout {settings.query_timeout:g} s, max {settings.max_rows} rows)",
          file=sys.stderr, flush=True)
    _Server(settings).run()
    return 0
