"""Result columns that are input columns the code left unchanged (docs/sandbox-protocol.md, "Unchanged columns").

A step often returns most of what it was given: ``df["ratio"] = df.a / df.b; result_df = df``
returns every input column but one as it came. The agent still holds those columns on its
disk, byte for byte, so the runner names them (input, column) instead of encoding them and
sending them back; the agent copies its own files. Only columns whose bytes would come back
identical are named: the runner keeps, before the code runs, a private copy of each such
input column (its pointers for object columns, so no value is copied and no object can be
freed and its address reused), and a result column is named only if it has the input
column's length, dtype and, value for value, the same bits (object columns: the very same
objects), whatever its name. A filtered or reordered result (``df[df.x > 0]``,
``df.sort_values("y")``) names its columns too, with the input rows they hold: the positions
its leftover index gives (sandbox_encode.row_positions), checked value for value against the
copy gathered at those positions. Anything else is encoded as before.

The copies cost memory, so they stop at ``budget()``: at most ``BUDGET_BYTES`` in all (every
column of a 100,000-row frame of 20 columns), and nothing once the decoded inputs leave less than
``RESERVE_BYTES`` of the sandbox's memory limit free (a 1,000,000-row frame at 256 MB, which needs
that room for the code itself: measured in docs/benchmarks-frames.md).
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

BUDGET_BYTES = 16 << 20
RESERVE_BYTES = 64 << 20


def budget(memory_limit_bytes: int) -> int:
    """Bytes of copies allowed now (inputs decoded): a quarter of what the limit leaves beyond the reserve.

    ``memory_limit_bytes`` 0 means no limit is known (the host-side tests): BUDGET_BYTES.
    """
    if not memory_limit_bytes:
        return BUDGET_BYTES
    used = _resident_bytes()
    if used is None:
        return 0
    return max(0, min(BUDGET_BYTES, (memory_limit_bytes - used - RESERVE_BYTES) // 4))


def _resident_bytes():
    # RssAnon is what the memory limit holds to; gVisor reports only VmRSS (which also counts the
    # shared libraries: more, so the budget errs on the small side).
    try:
        with open("/proc/self/status", "rb") as f:
            fields = dict(line.split(b":", 1) for line in f.read().splitlines() if b":" in line)
        return int((fields.get(b"RssAnon") or fields[b"VmRSS"]).split()[0]) * 1024
    except (OSError, KeyError, ValueError, IndexError):
        return None


class UnchangedColumns:
    """The columns of the frames the agent sent that may come back by reference, by column name.

    A frame is named by its source: ("input", index in execute.inputs) or ("sql", id of its sql_result).
    """

    def __init__(self, memory_limit_bytes: int = 0):
        self._limit = memory_limit_bytes
        self._room = BUDGET_BYTES
        self._by_name = {}

    def register(self, source: tuple, meta: dict, frame: pd.DataFrame) -> None:
        """Remembers the columns of ``frame`` (decoded from ``meta``) that round-trip exactly."""
        # What the frames decoded so far leave; a sql() frame comes while the code runs.
        self._room = min(self._room, budget(self._limit))
        for j, column in enumerate(meta["columns"]):
            values = _values(frame.iloc[:, j])
            if column["kind"] == "decimal" and isinstance(values, np.ndarray) and values.dtype == np.float64 \
                    and any(b["name"] == "float" for b in column["buffers"]):
                # Loaded from its float64 buffer (NaN for NULL): it goes back as that buffer, a float64
                # column without NULLs, which the agent can make from its own file.
                kind, buffer = "float64", "float"
            elif _round_trips(column, values):
                kind, buffer = column["kind"], None
            else:
                continue
            baseline = _baseline(values)
            size = _bytes(baseline)
            if size > self._room:
                continue
            self._room -= size
            self._by_name.setdefault(column["name"], []).append((source, j, kind, buffer, baseline))

    def match(self, name, series: pd.Series, positions=None):
        """(source, column index, kind, buffer, by rows) of a column ``series`` equals exactly, or None.

        ``buffer`` is "float" when the column is a decimal column's float64 buffer, else None. ``by
        rows`` is True when ``series`` equals that column's rows at ``positions`` (int64, one per row
        of ``series``) rather than the whole column in order.

        The input column of the same name first; then any other (a renamed column), compared in
        full only when its first and last values already agree, so a new column costs next to nothing.
        """
        values = _values(series)
        named = self._by_name.get(name, ()) if isinstance(name, str) else ()
        for source, j, kind, buffer, baseline in named:
            if _same(values, baseline):
                return source, j, kind, buffer, False
        for entries in self._by_name.values():
            for source, j, kind, buffer, baseline in entries:
                if entries is not named and _same(values[:1], baseline[:1]) and _same(values[-1:], baseline[-1:]) \
                        and _same(values, baseline):
                    return source, j, kind, buffer, False
        if positions is None or len(positions) != len(values) or not len(values):
            return None
        top = int(positions.max())
        for source, j, kind, buffer, baseline in named:
            if top < len(baseline) and _same_rows(values, baseline, positions):
                return source, j, kind, buffer, True
        ends = positions[[0, -1]]
        for entries in self._by_name.values():
            for source, j, kind, buffer, baseline in entries:
                if entries is not named and top < len(baseline) and _same_rows(values[[0, -1]], baseline, ends) \
                        and _same_rows(values, baseline, positions):
                    return source, j, kind, buffer, True
        return None


def _round_trips(column: dict, values) -> bool:
    """Whether encoding the freshly decoded column gives back its kind, NULLs and bytes."""
    kind = column["kind"]
    nulls = (column.get("stats") or {}).get("null_count")
    if kind in ("int64", "bool", "string"):
        # A string column of only NULLs comes back as string too (no types to decide by).
        return True
    if kind == "float64":
        # NULL and NaN both load as NaN, and a NaN goes back as a value: exact only without NULLs.
        return nulls == 0
    if kind in ("timestamp", "timestamptz"):
        # Infinities and instants beyond nanoseconds load as NaT, which goes back as NULL.
        return isinstance(nulls, int) and int(np.count_nonzero(pd.isna(values))) == nulls
    if kind == "date":
        # Likewise for dates beyond datetime.date (they load as None, as NULLs do); and a date column of
        # only NULLs would go back as string.
        pointers = _pointers(values)
        missing = int(np.count_nonzero(pd.isna(values) if pointers is None else pointers == id(None)))
        return isinstance(nulls, int) and missing == nulls and missing < len(values)
    # decimal (as Decimal objects or uint64), time, json, bytes, array: encoded differently or not byte for byte.
    return False


def _values(series: pd.Series):
    # A numpy dtype's own array (no copy); pandas' masked and datetime arrays otherwise.
    return series.to_numpy() if isinstance(series.dtype, np.dtype) else series.array


def _baseline(values):
    # numpy arrays and pandas' masked and datetime arrays: copy() copies the data (and mask);
    # an object array's copy holds the same objects, which keeps them alive.
    return values.copy()


def _bytes(baseline) -> int:
    return int(getattr(baseline, "nbytes", 8 * len(baseline)))


def _same(values, baseline) -> bool:
    if len(values) != len(baseline) or values.dtype != baseline.dtype:
        return False
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            # The same objects, one by one: an equal but new str would be the same value too, but
            # identity is what survives every pandas operation that leaves the value alone. The
            # baseline holds the objects, so no address can have been reused by another object.
            a, b = _pointers(values), _pointers(baseline)
            return bool(np.array_equal(a, b)) if a is not None and b is not None else all(map(operator.is_, values, baseline))
        return _same_bits(values, baseline)
    if isinstance(values, (pd.arrays.IntegerArray, pd.arrays.BooleanArray)):
        return _same_bits(values._mask, baseline._mask) and _same_bits(
            np.where(values._mask, 0, values._data), np.where(baseline._mask, 0, baseline._data))
    if isinstance(values, pd.arrays.DatetimeArray):
        return _same_bits(values.asi8, baseline.asi8)
    return False


def _same_rows(values, baseline, positions: np.ndarray) -> bool:
    """Whether ``values`` is ``baseline`` at ``positions`` (all within it), by the rules of _same."""
    if values.dtype != baseline.dtype:
        return False
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            # The baseline is a copy, so contiguous; a result column may be a strided view.
            a = _pointers(values)
            a = _pointers(np.ascontiguousarray(values)) if a is None else a
            b = _pointers(baseline)
            return a is not None and b is not None and bool(np.array_equal(a, b[positions]))
        return _same_bits(values, baseline[positions])
    if isinstance(values, (pd.arrays.IntegerArray, pd.arrays.BooleanArray)):
        mask = baseline._mask[positions]
        return _same_bits(values._mask, mask) and _same_bits(
            np.where(values._mask, 0, values._data), np.where(mask, 0, baseline._data[positions]))
    if isinstance(values, pd.arrays.DatetimeArray):
        return _same_bits(values.asi8, baseline.asi8[positions])
    return False


def _pointers(values: np.ndarray):
    """An object array's pointers as integers (a view, no copy), or None if it is not contiguous.

    Comparing them is a memory compare, ten times faster than comparing the objects one by one."""
    try:
        return np.frombuffer(values, np.intp)
    except (BufferError, ValueError, TypeError):
        return None


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    # Bits, not ==: -0.0 == 0.0 and NaN != NaN, but the frame stores bits.
    if a.dtype.itemsize == 8:
        a, b = a.view("<i8"), b.view("<i8")
    return a.shape == b.shape and bool(np.array_equal(a, b))
