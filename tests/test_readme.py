"""The README documents every setting exactly as the code defines it."""

from pathlib import Path

from kg.settings import markdown_table

README = Path(__file__).parents[1] / "README.md"


def test_readme_settings_table_is_the_settings_table():
    assert markdown_table() in README.read_text()
