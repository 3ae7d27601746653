"""The values of a frame's variable-length columns (text, decimal text, JSON text, bytes).

Part of ``dea_frames`` (which re-exports ``texts`` and ``FrameFormatError``): decoding
``offsets`` + ``data`` buffers is where loading a frame spends its time, so it has a module
of its own. Only numpy, pandas and the standard library are needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Rows decoded per step: keeps the transient text of a string column small.
_CHUNK_ROWS = 1 << 16


class FrameFormatError(ValueError):
    """The frame (directory or buffers) is incomplete, inconsistent or of another format version."""


def texts(column: dict, n: int, buffers: dict) -> np.ndarray:
    """The values of a variable-length column as an object array of str (bytes for ``bytes``).

    NULLs are still empty values here; callers put None where ``valid`` is 0. Repeated strings
    share one object while the column looks low-cardinality.
    """
    offsets = np.frombuffer(buffers["offsets"], "<i8")
    data = np.frombuffer(buffers["data"], np.uint8)
    if offsets[0] != 0 or offsets[n] != len(data):
        raise FrameFormatError("column %r: offsets must start at 0 and end at the data size %d"
                               % (column["name"], len(data)))
    binary = column["kind"] == "bytes"
    distinct = (column.get("stats") or {}).get("distinct_count")
    # Interning pays for columns that repeat values (categories, codes); for unique values it
    # would only cost time. Each chunk that finds most of its values new ends it.
    canon = {} if not binary and not (isinstance(distinct, int) and distinct * 2 > n) else None
    # Every 8 bytes of data as one unaligned little-endian word, for _interned().
    words = np.ndarray((len(data) - 7,), "<u8", data, strides=(1,)) if canon is not None and len(data) >= 8 else None
    out = np.empty(n, dtype=object)
    view = memoryview(data)
    try:
        for start in range(0, n, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, n)
            bounds = offsets[start:stop + 1]
            # Every value ends with its own 0x00: offsets strictly increase, a 0x00 before each.
            # Checked a chunk at a time so the temporaries stay small (and their pages reused).
            if np.any(bounds[1:] <= bounds[:-1]) or np.any(data[bounds[1:] - 1] != 0):
                raise FrameFormatError("column %r: offsets do not point past one 0x00 per value" % column["name"])
            lo, hi = int(bounds[0]), int(bounds[-1])
            # No 0x00 inside the values (the chunk holds one per value): the fast paths apply.
            fast = np.count_nonzero(data[lo:hi] == 0) == stop - start
            if fast and canon is not None and words is not None and start == 0 and stop > _PROBE_ROWS:
                # A cheap look at the first rows spares a column of distinct values the full attempt.
                if _interned(words, view, bounds[:_PROBE_ROWS + 1], {}) is None:
                    canon = None
            if fast and canon is not None and words is not None:
                shared = _interned(words, view, bounds, canon)
                if shared is not None:
                    out[start:stop] = shared
                    continue
                canon = None
            if fast:
                # No 0x00 inside the values: two C-level calls decode the whole chunk.
                parts = (bytes(view[lo:hi]) if binary else str(view[lo:hi], "utf-8")).split(b"\0" if binary else "\0")
                parts.pop()
            else:
                bounds = offsets[start:stop + 1].tolist()
                parts = [bytes(view[a:b - 1]) if binary else str(view[a:b - 1], "utf-8")
                         for a, b in zip(bounds, bounds[1:])]
            if canon is not None:
                parts = list(map(canon.setdefault, parts, parts))
                if len(canon) * 2 > stop:
                    canon = None
            out[start:stop] = parts
    except UnicodeDecodeError as e:
        raise FrameFormatError("column %r holds invalid UTF-8: %s" % (column["name"], e)) from None
    return out


_KEY_WORDS = 4
_PROBE_ROWS = 1024
_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _interned(words: np.ndarray, view, bounds: np.ndarray, canon: dict):
    """The chunk's values as shared str objects, or None when they are long or mostly distinct.

    Values of at most 32 bytes without 0x00 are told apart by their (zero-padded) 8-byte words,
    so numpy factorizes the chunk and only one str per distinct value is decoded.
    """
    starts = bounds[:-1]
    lengths = np.diff(bounds)
    lengths -= 1
    longest = int(lengths.max(initial=0))
    if longest > 8 * _KEY_WORDS:
        return None
    rows, last = len(starts), len(words) - 1
    # Rows whose words all lie inside the data; the few after them (at its very end) are read
    # one by one. Temporaries are reused: every fresh page costs a fault.
    inside = int(np.searchsorted(starts, last - 8 * ((longest + 7) // 8 - 1), side="right"))
    position = starts.copy()
    word = np.empty(rows, np.uint64)
    codes = None
    for k in range(max(1, (longest + 7) // 8)):
        if k:
            position += 8
        # Fancy indexing reads the strided view in place (np.take would copy all of it first).
        word[:inside] = words[position[:inside]]
        for i in range(inside, rows):
            at = min(int(position[i]), last)
            word[i] = int(words[at]) >> 8 * (int(position[i]) - at) if int(position[i]) - at < 8 else 0
        if int(lengths.min(initial=8 * k + 8)) < 8 * k + 8:
            # Bytes past a value's end (its 0x00, the next values) must not count.
            keep = np.clip(lengths - 8 * k, 0, 8)
            word &= _MASKS[keep]
        part, distinct = pd.factorize(word)
        if codes is None:
            codes, count = part, len(distinct)
        else:
            codes, distinct = pd.factorize(codes * len(distinct) + part)
            count = len(distinct)
        if count * 2 > rows:
            return None
    # factorize numbers values in order of appearance: code j first appears where codes rise to j.
    rising = np.empty(len(codes), dtype=bool)
    rising[:1] = True
    np.greater(codes[1:], np.maximum.accumulate(codes)[:-1], out=rising[1:])
    first = np.flatnonzero(rising)
    shared = np.empty(count, dtype=object)
    shared[:] = [canon.setdefault(text, text) for text in
                 (str(view[a:a + n], "utf-8") for a, n in zip(starts[first].tolist(), lengths[first].tolist()))]
    return shared.take(codes)
