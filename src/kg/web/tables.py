"""A page's table as a download: CSV that spreadsheets open right, and the same as JSON.

The CSV is UTF-8 with a byte-order mark, which Excel needs to read "Lwów" and "–" as
written (without it, it guesses a legacy code page); labels come beside IRIs, so the
file reads like the table on screen and still joins with the data.
"""

import csv
import io
import json

from flask import Response

CSV_TYPE = "text/csv; charset=utf-8"
#: The byte-order mark that tells spreadsheets the file is UTF-8.
BOM = "\ufeff"


def csv_response(filename: str, columns: list[str], rows: list[dict]) -> Response:
    """``rows`` as ``filename`` (.csv), ``columns`` in order, with the BOM."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue().encode("utf-8"), content_type=CSV_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}.csv"'})


def json_response(filename: str, columns: list[str], rows: list[dict]) -> Response:
    """The same rows as JSON: ``{"columns": [...], "rows": [{...}, ...]}``."""
    body = json.dumps({"columns": columns, "rows": [{c: row.get(c) for c in columns}
                                                    for row in rows]},
                      ensure_ascii=False, indent=1)
    return Response(body.encode("utf-8"), content_type="application/json", headers={
        "Content-Disposition": f'inline; filename="{filename}.json"'})
