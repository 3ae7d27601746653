"""The agent's side of frame buffers (docs/frame-format.md, format 2), in plain Python, for the tests.

Not shipped in the image, and deliberately independent of dea_frames/sandbox_encode (no numpy,
no pandas): it writes input frames as the agent's FrameWriter lays them out on disk (``decimal``
with its ``float`` buffer) and checks and decodes result buffers as strictly as the agent does.
Values are given and returned in the JSON encoding of the frame-format "kind" table
(``"NaN"``, ``"infinity"``, ISO dates, Base64 bytes), so test rows read as they did in format 1.
"""

from __future__ import annotations

import array
import base64
import datetime
import decimal
import json
import math
import os
import struct

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
FIXED_WIDTH = {"int64": 8, "float64": 8, "bool": 1, "date": 8, "timestamp": 8, "timestamptz": 8}
VARIABLE_KINDS = ("string", "time", "decimal", "json", "array", "bytes")
# ColumnKind.pandasDtype(hasNulls) on the Java side.
_DTYPES = {"int64": ("int64", "Int64"), "bool": ("bool", "boolean"), "float64": ("float64", "float64"),
           "timestamp": ("datetime64[ns]", "datetime64[ns]"),
           "timestamptz": ("datetime64[ns, UTC]", "datetime64[ns, UTC]")}
_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=datetime.timezone.utc)
_EPOCH_DAY = datetime.date(1970, 1, 1).toordinal()
_MICRO = datetime.timedelta(microseconds=1)
_SPECIAL = {"infinity": INT64_MAX, "-infinity": INT64_MIN}


def pandas_dtype(kind: str, has_nulls: bool) -> str:
    return _DTYPES.get(kind, ("object", "object"))[1 if has_nulls else 0]


# -- encoding (agent -> runner) -------------------------------------------------------------

def _float(v) -> float:
    return math.nan if v is None else float(v)   # float("NaN"), float("Infinity") read the JSON spellings


def _days(v) -> int:
    if isinstance(v, int):
        return v   # raw days, e.g. beyond datetime.date's years
    return _SPECIAL[v] if v in _SPECIAL else datetime.date.fromisoformat(v).toordinal() - _EPOCH_DAY


def _micros(v, utc: bool) -> int:
    if isinstance(v, int):
        return v   # raw microseconds
    if v in _SPECIAL:
        return _SPECIAL[v]
    t = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    return (t - (_EPOCH_UTC if utc else _EPOCH)) // _MICRO


def _value_bytes(kind: str, v) -> bytes:
    if kind == "bytes":
        return v if isinstance(v, bytes) else base64.b64decode(v)
    if kind in ("json", "array"):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return str(v).encode("utf-8")


def encode_column(kind: str, values: list, with_float: bool = True) -> list:
    """[(buffer name, bytes)] of one column; None is SQL NULL."""
    n = len(values)
    valid = bytes(0 if v is None else 1 for v in values)
    if kind in FIXED_WIDTH:
        if kind == "int64":
            body = struct.pack("<%dq" % n, *(0 if v is None else v for v in values))
        elif kind == "float64":
            body = struct.pack("<%dd" % n, *map(_float, values))
        elif kind == "bool":
            body = bytes(1 if v else 0 for v in values)
        elif kind == "date":
            body = struct.pack("<%dq" % n, *(0 if v is None else _days(v) for v in values))
        else:
            body = struct.pack("<%dq" % n, *(0 if v is None else _micros(v, kind == "timestamptz") for v in values))
        return [("valid", valid), ("values", body)]
    if kind not in VARIABLE_KINDS:
        raise ValueError("unknown kind %r" % kind)
    encoded = [b"" if v is None else _value_bytes(kind, v) for v in values]
    offsets = [0]
    for e in encoded:
        offsets.append(offsets[-1] + len(e) + 1)
    buffers = [("valid", valid), ("offsets", struct.pack("<%dq" % (n + 1), *offsets)),
               ("data", b"".join(e + b"\0" for e in encoded))]
    if kind == "decimal" and with_float:
        buffers.append(("float", struct.pack("<%dd" % n, *map(_float, values))))
    return buffers


def frame(names, kinds, rows, sources=None, dtypes=None, with_float=True):
    """(meta, buffers in wire order) of a frame given as rows of JSON-encoded values."""
    columns = [list(c) for c in zip(*rows)] if rows else [[] for _ in kinds]
    metas, buffers = [], []
    for i, (name, kind, values) in enumerate(zip(names, kinds, columns)):
        encoded = encode_column(kind, values, with_float)
        metas.append({"name": name, "kind": kind, "source_type": (sources or kinds)[i],
                      "dtype": dtypes[i] if dtypes else pandas_dtype(kind, None in values),
                      "stats": {"null_count": sum(v is None for v in values)},
                      "buffers": [{"name": b, "bytes": len(data)} for b, data in encoded]})
        buffers.extend(data for _, data in encoded)
    meta = {"format": "dea-frame", "format_version": 2, "key": "0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60",
            "columns": metas, "row_count": len(rows), "truncated": False}
    return meta, buffers


def write_frame(directory: str, meta: dict, buffers: list):
    """Lay the frame out on disk as the agent's cache does (meta.json + <i>.<buffer>)."""
    os.makedirs(directory, exist_ok=True)
    pieces = iter(buffers)
    for i, column in enumerate(meta["columns"]):
        for spec in column["buffers"]:
            with open(os.path.join(directory, "%d.%s" % (i, spec["name"])), "wb") as f:
                f.write(next(pieces))
    with open(os.path.join(directory, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f)


# -- decoding and checking (runner -> agent) ------------------------------------------------

def _input_column(column: dict, n: int, frames, positions=None) -> list:
    index, j = column["input"] if "input" in column else column["sql"]
    _, meta, buffers = frames[index]
    source = meta["columns"][j]
    floats = column.get("buffer") == "float"
    if column.get("rows") is True:
        # The source column's rows at the frame's positions, as the agent gathers them from its files.
        _check(positions is not None and len(positions) == n and all(0 <= p < meta["row_count"] for p in positions),
               "column %r names rows %s of a frame of %d rows", column["name"], positions, meta["row_count"])
        whole = _input_column(dict(column, rows=False), meta["row_count"], frames)
        return [whole[p] for p in positions]
    _check(column["buffers"] == [] and meta["row_count"] == n and (
               source["kind"] == "decimal" and column["kind"] == "float64" if floats else source["kind"] == column["kind"]),
           "column %r names input column %r (%s, %d rows) but is %s of %d rows with buffers %s", column["name"],
           source["name"], source["kind"], meta["row_count"], column["kind"], n, column["buffers"])
    first = sum(len(c["buffers"]) for c in meta["columns"][:j])
    named = {b["name"]: buffers[first + k] for k, b in enumerate(source["buffers"])}
    if floats:
        # As the agent makes it: the decimal's float64 buffer, every row valid (a NULL is its NaN).
        return decode_column(dict(column, kind="float64"), n, {"valid": b"\x01" * n, "values": named["float"]})
    return decode_column(source, n, named)


class FrameCheckError(AssertionError):
    """The runner's buffers break docs/frame-format.md; the agent would refuse them."""


def _check(condition, message, *args):
    if not condition:
        raise FrameCheckError(message % args)


def _fmt_micros(us: int, utc: bool) -> str:
    t = _EPOCH + datetime.timedelta(microseconds=us)
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (t.year, t.month, t.day, t.hour, t.minute, t.second)
    if t.microsecond:
        text += ("." + "%06d" % t.microsecond).rstrip("0")
    return text + "Z" if utc else text


def _fmt_float(f: float):
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return f


def decode_column(column: dict, n: int, buffers: dict) -> list:
    """The values of one result column in their JSON encoding; None for NULL."""
    kind, name = column["kind"], column["name"]
    valid = buffers["valid"]
    _check(set(valid) <= {0, 1}, "column %r: valid bytes must be 0 or 1", name)
    if kind in FIXED_WIDTH:
        raw = buffers["values"]
        if kind == "bool":
            values = list(raw)
            _check(set(values) <= {0, 1}, "column %r: bool values must be 0 or 1", name)
            values = [v == 1 for v in values]
        else:
            values = list(struct.unpack("<%d%s" % (n, "d" if kind == "float64" else "q"), raw))
        out = []
        for ok, v in zip(valid, values):
            if not ok:
                _check(math.isnan(v) if kind == "float64" else v in (0, False),
                       "column %r: a NULL slot must hold %s", name, "NaN" if kind == "float64" else "0")
                out.append(None)
            elif kind == "float64":
                out.append(_fmt_float(v))
            elif kind in ("int64", "bool"):
                out.append(v)
            elif v in (INT64_MAX, INT64_MIN):
                out.append("infinity" if v == INT64_MAX else "-infinity")
            elif kind == "date":
                out.append(datetime.date.fromordinal(v + _EPOCH_DAY).isoformat())
            else:
                out.append(_fmt_micros(v, kind == "timestamptz"))
        return out
    data = buffers["data"]
    offsets = struct.unpack("<%dq" % (n + 1), buffers["offsets"])
    _check(offsets[0] == 0 and offsets[n] == len(data), "column %r: offsets must run from 0 to %d", name, len(data))
    out = []
    for i in range(n):
        start, end = offsets[i], offsets[i + 1]
        _check(start < end and data[end - 1] == 0, "column %r: value %d is not followed by one 0x00", name, i)
        raw = data[start:end - 1]
        if not valid[i]:
            _check(raw == b"", "column %r: NULL value %d is not empty", name, i)
            out.append(None)
        elif kind == "bytes":
            out.append(base64.b64encode(raw).decode("ascii"))
        else:
            try:
                text = raw.decode("utf-8")
                if kind in ("json", "array"):
                    out.append(json.loads(text))
                elif kind == "decimal":
                    decimal.Decimal(text)
                    _check(text in ("NaN", "Infinity", "-Infinity") or "E" not in text.upper(),
                           "column %r: decimal %r is not in plain notation", name, text)
                    out.append(text)
                else:
                    out.append(text)
            except (ValueError, decimal.InvalidOperation) as e:
                raise FrameCheckError("column %r value %d: %s" % (name, i, e)) from None
    return out


def decode_frame(frame_meta: dict, read_exact, inputs=(), sql_frames=None) -> list:
    """Rows (lists of JSON-encoded values) of a result frame whose buffers ``read_exact`` reads.

    A column that names an input column (``input``: [input, column]) is that column of ``inputs``
    (a list of (name, meta, buffers) as sent), as the agent copies it from its own files; one that
    names a sql() frame (``sql``: [id, column]), that column of ``sql_frames[id]``.
    """
    n = frame_meta["row_count"]
    columns = []
    positions = None
    if "rows" in frame_meta:
        # The input rows that columns marked "rows": true hold, int64, before every column's buffers.
        _check(frame_meta["rows"] == {"bytes": 8 * n}, "frame rows %s, expected %d bytes", frame_meta["rows"], 8 * n)
        positions = array.array("q", bytes(read_exact(8 * n))).tolist()
    for column in frame_meta["columns"]:
        kind = column["kind"]
        if "input" in column or "sql" in column:
            columns.append(_input_column(column, n, inputs if "input" in column else sql_frames, positions))
            continue
        names = [b["name"] for b in column["buffers"]]
        # The runner sends a decimal without its float: the agent computes that while checking.
        expected = ["valid", "values"] if kind in FIXED_WIDTH else ["valid", "offsets", "data"]
        _check(names == expected, "column %r (%s): buffers %s, expected %s", column["name"], kind, names, expected)
        buffers = {}
        for spec in column["buffers"]:
            size = {"valid": n, "values": FIXED_WIDTH.get(kind, 0) * n, "offsets": 8 * (n + 1)}.get(spec["name"])
            _check(size is None or spec["bytes"] == size, "column %r: %s has %d bytes, expected %s",
                   column["name"], spec["name"], spec["bytes"], size)
            buffers[spec["name"]] = read_exact(spec["bytes"])
        columns.append(decode_column(column, n, buffers))
    return [list(row) for row in zip(*columns)] if columns else [[] for _ in range(n)]
