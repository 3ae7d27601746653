"""The runner's private protocol channel and the capture of everything else on fd 0/1/2.

User code runs in the same process as the protocol, so the channel must survive
anything it does: print(), os.write(1, ...), a C extension writing to stderr, or a
subprocess inheriting the descriptors. We therefore move the protocol to private
descriptors and point fds 0/1/2 at /dev/null and at pipes drained by threads, which keep
only the first ``limit`` bytes. Pipes instead of files: a flood costs neither memory nor
tmpfs space (a full /tmp would turn the user's print() into an ENOSPC error).
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading

import numpy as np

TRUNCATION_MARKER = "\n[output truncated: %d more bytes]"
# Streamed output: the line sent once the limit cuts it (the final count is known only at the end).
STREAM_CUT_MARKER = "[output truncated at %d bytes: the rest is not streamed]"
# A streamed piece never holds more: a line without a newline is sent in pieces, so one
# protocol line stays far below the agent's line limit.
STREAM_PIECE_BYTES = 1 << 15
# Until the request says otherwise; import-time noise is discarded anyway.
DEFAULT_LIMIT = 1 << 20


class _CappedFd(io.RawIOBase):
    """fd 1 or 2 as sys.stdout/sys.stderr see it: writes go to the pipe until its drain is full.

    Bytes written through the pipe and bytes dropped here add up to the same count, so the
    truncation marker stays exact; os.write(1), C extensions and subprocesses still use the pipe.
    """

    def __init__(self, fd: int, drain: "_Drain"):
        super().__init__()
        self._fd = fd
        self._drain = drain

    def writable(self):
        return True

    def fileno(self):
        return self._fd

    def write(self, data):
        view = memoryview(data).cast("B")
        size = len(view)
        if self._drain.full:
            self._drain.drop(size)
            return size
        while view:
            view = view[os.write(self._fd, view):]
        return size


class ProtocolError(Exception):
    """The agent sent something that does not follow the protocol."""


class _Drain(threading.Thread):
    """Reads one pipe to EOF, keeping the first ``limit`` bytes and counting the rest.

    While a ``sink`` is set (the agent asked for ``stream_output``), every complete line of the
    kept bytes is also handed to it as it arrives, in pieces of at most ``STREAM_PIECE_BYTES``,
    and once the limit cuts the output the sink gets one marker line.
    """

    def __init__(self, read_fd: int, name: str):
        super().__init__(name="drain-" + name, daemon=True)
        self.read_fd = read_fd
        self.limit = DEFAULT_LIMIT
        self.kept = bytearray()
        self.dropped = 0
        self.lock = threading.Lock()
        self.sink = None
        self.pending = bytearray()
        self.cut_sent = False
        # Read without the lock by _CappedFd: once the kept bytes are complete, Python-level writes
        # are counted and dropped in-process (a print() loop would otherwise cost a pipe write,
        # a thread switch and a read per line: seconds for 100k lines at a fraction of a CPU).
        self.full = False

    def run(self):
        while True:
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                chunk = b""
            with self.lock:
                if chunk:
                    room = self.limit - len(self.kept)
                    keep = chunk[:room] if room > 0 else b""
                    self.kept += keep
                    self.dropped += len(chunk) - len(keep)
                    self.full = len(self.kept) >= self.limit
                    self.pending += keep
                pieces, sink = self._pieces(final=not chunk), self.sink
            if sink is not None:
                for piece in pieces:
                    sink(self.name[len("drain-"):], piece)
            if not chunk:
                return

    def _pieces(self, final: bool) -> list:
        """The lines (and long pieces) ready to stream; called with the lock held."""
        if self.sink is None:
            self.pending = bytearray()
            return []
        pieces = []
        while True:
            newline = self.pending.find(b"\n")
            if newline < 0 and len(self.pending) < STREAM_PIECE_BYTES:
                break
            end = newline if 0 <= newline < STREAM_PIECE_BYTES else STREAM_PIECE_BYTES
            pieces.append(bytes(self.pending[:end]).decode("utf-8", errors="replace"))
            del self.pending[:end + 1 if end == newline else end]
        if (final or self.dropped) and self.pending:
            pieces.append(bytes(self.pending).decode("utf-8", errors="replace"))
            self.pending = bytearray()
        if self.dropped and not self.cut_sent:
            self.cut_sent = True
            pieces.append(STREAM_CUT_MARKER % self.limit)
        return pieces

    def reset(self, limit: int, sink=None):
        with self.lock:
            self.limit = limit
            self.kept = bytearray()
            self.dropped = 0
            self.sink = sink
            self.pending = bytearray()
            self.cut_sent = False
            self.full = limit <= 0

    def drop(self, nbytes: int):
        """Counts bytes written after the limit was reached without sending them through the pipe."""
        with self.lock:
            self.dropped += nbytes

    def stop_streaming(self):
        with self.lock:
            self.sink = None

    def text(self):
        """(captured text, truncated?) — the kept bytes decoded, plus a marker if cut."""
        with self.lock:
            data, dropped = bytes(self.kept), self.dropped
        # The cut may split a UTF-8 sequence; "replace" turns only that tail into U+FFFD.
        text = data.decode("utf-8", errors="replace")
        if dropped:
            return text + TRUNCATION_MARKER % dropped, True
        return text, False


class Channel:
    """JSON lines and raw frame buffers over the private descriptors; installs the capture."""

    def __init__(self):
        self.out_fd = os.dup(1)
        in_fd = os.dup(0)
        os.set_inheritable(self.out_fd, False)
        os.set_inheritable(in_fd, False)
        self._in = io.open(in_fd, "rb", buffering=1 << 16)
        self._write_lock = threading.Lock()
        self.torn = False
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        self.drains = {}
        for fd, name in ((1, "stdout"), (2, "stderr")):
            r, w = os.pipe()
            os.dup2(w, fd)
            os.close(w)
            drain = _Drain(r, name)
            drain.start()
            self.drains[name] = drain
        # line_buffering + write_through: a print() reaches the pipe at once, so stdout and
        # os.write(1) output interleave in program order.
        sys.stdout = io.TextIOWrapper(_CappedFd(1, self.drains["stdout"]), encoding="utf-8",
                                      errors="backslashreplace", line_buffering=True, write_through=True)
        sys.stderr = io.TextIOWrapper(_CappedFd(2, self.drains["stderr"]), encoding="utf-8",
                                      errors="backslashreplace", line_buffering=True, write_through=True)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")

    # -- agent -> runner ---------------------------------------------------------------

    def read_line(self) -> bytes:
        line = self._in.readline()
        if not line:
            raise ProtocolError("stdin closed by the agent")
        if not line.endswith(b"\n"):
            raise ProtocolError("stdin ended inside a line")
        return line

    def read_message(self) -> dict:
        line = self.read_line()
        try:
            message = json.loads(line)
        except ValueError as e:
            raise ProtocolError("not a JSON line: %s" % e) from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ProtocolError("a message must be a JSON object with a string \"type\"")
        return message

    def read_exact(self, nbytes: int):
        """The next ``nbytes`` raw bytes as a numpy uint8 array (frame buffers follow their line)."""
        # numpy asks the kernel for huge pages for large arrays: a bytearray's memory costs a page
        # fault per 4 KiB, which made reading 100 MB of frame take seconds on a small VM.
        buffer = np.empty(nbytes, np.uint8)
        view = memoryview(buffer)
        got = 0
        while got < nbytes:
            # readinto fills the caller's buffer directly: a large buffer is never copied again.
            count = self._in.readinto(view[got:])
            if not count:
                raise ProtocolError("stdin ended %d bytes into a %d-byte frame buffer" % (got, nbytes))
            got += count
        return buffer

    # -- runner -> agent ---------------------------------------------------------------

    def send(self, message: dict, buffers=()):
        """One message line, then raw buffers (bytes-like, e.g. numpy arrays) with nothing between them.

        Small buffers are gathered into one write; large ones are written from their own memory.
        If producing or writing a buffer fails after the line went out, ``torn`` is set: the agent
        has the line but not all its bytes, so nothing else may be written (it sees the stream end).
        """
        data = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        with self._write_lock:
            pending = bytearray(data.encode("utf-8") + b"\n")
            written = False
            try:
                for buffer in buffers:
                    view = memoryview(buffer).cast("B")
                    if len(view) < 1 << 16:
                        pending += view
                        if len(pending) < 1 << 16:
                            continue
                    if pending:
                        written = True
                        self._write(pending)
                        pending = bytearray()
                    if len(view) >= 1 << 16:
                        self._write(view)
                if pending:
                    written = True
                    self._write(pending)
            except BaseException:
                self.torn = written
                raise

    def _write(self, data):
        view = memoryview(data)
        while view:
            written = os.write(self.out_fd, view)
            view = view[written:]

    # -- capture -----------------------------------------------------------------------

    def reset_capture(self, limit: int, stream: bool = False):
        """Starts capturing anew; with ``stream`` each line is also sent as an ``output`` message."""
        self.flush_std()
        sink = self._send_output if stream else None
        for drain in self.drains.values():
            drain.reset(limit, sink)

    def _send_output(self, stream: str, text: str):
        try:
            self.send({"type": "output", "stream": stream, "text": text})
        except OSError:
            pass  # the agent went away; the step's end reports it

    def flush_std(self):
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except Exception:
                pass

    def finish_capture(self, timeout: float = 2.0) -> dict:
        """Close our write ends and collect both streams (stdout, stderr, truncation flags)."""
        self.flush_std()
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        out = {}
        for name, drain in self.drains.items():
            drain.join(timeout)
            # Nothing is streamed after the result: a background process still writing is cut here.
            drain.stop_streaming()
        for name, drain in self.drains.items():
            # A background process of the user code may still hold the pipe open; we do not
            # wait for it beyond the timeout, we report what has arrived.
            drain.join(timeout)
            out[name], out[name + "_truncated"] = drain.text()
        return out
