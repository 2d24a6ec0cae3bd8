"""The article text the graph quotes, shipped with the package so nothing reads ``../shared``."""

from importlib.resources import files

ARTICLE_URL = "https://en.wikipedia.org/wiki/Soviet_invasion_of_Poland"
ARTICLE_TITLE = "Soviet invasion of Poland"
RETRIEVED = "2026-11-24"
#: The day after retrieval: revisions older than its start were in force when retrieved.
RETRIEVED_NEXT_DAY = "2026-11-25"
LICENSE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"


def article_text() -> str:
    """The article as shipped; evidence offsets index this exact string."""
    return files(__package__).joinpath("soviet-invasion-of-poland.txt").read_text(encoding="utf-8")
