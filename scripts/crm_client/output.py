"""Render a command's result as a text table, JSON or CSV.

A result is a list of flat dicts (rows) or a single flat dict (one record).
"""

import csv
import json


def _text(value):
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def render(result, fmt, stream, columns=None):
    if fmt == "json":
        json.dump(result, stream, indent=2, ensure_ascii=False, default=str)
        stream.write("\n")
        return
    rows = result if isinstance(result, list) else [result]
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if row.get(key) is None else row.get(key) for key in columns})
        return
    if isinstance(result, dict):
        width = max((len(key) for key in columns), default=0)
        for key in columns:
            stream.write(f"{key.ljust(width)}  {_text(result.get(key))}\n")
        return
    if not rows:
        stream.write("(no records)\n")
        return
    cells = [[_text(row.get(key)) for key in columns] for row in rows]
    widths = [max(len(col), *(len(line[i]) for line in cells)) for i, col in enumerate(columns)]
    stream.write("  ".join(col.ljust(w) for col, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    stream.write("  ".join("-" * w for w in widths) + "\n")
    for line in cells:
        stream.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + "\n")
