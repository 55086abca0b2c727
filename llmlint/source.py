"""Reading and decoding source files the way the Python interpreter does.

A file is read once, as bytes; the encoding comes from its BOM or PEP 263 coding cookie
(`tokenize.detect_encoding`), defaulting to UTF-8. Anything that stops us from turning
the bytes into text becomes a `SourceError` whose message is shown as an LLM000 finding.
"""

from __future__ import annotations

import bisect
import codecs
import errno
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass

# Python's tokenizer ends lines at \r\n, \r or \n only (not at \f, \v or U+2028, which
# str.splitlines() would also split on).
NEWLINE_RE = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    """The file cannot be analysed; `line` is 1-based when the problem has one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_bytes(path: str) -> bytes:
    """Read a regular file without ever blocking on a fifo, socket or device."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SourceError(f"cannot read file: {_os_reason(exc)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise SourceError(f"cannot read file: {kind}")
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise SourceError(f"cannot read file: {_os_reason(exc)}") from None
    finally:
        os.close(fd)


def _os_reason(exc: OSError) -> str:
    if exc.errno is not None and exc.errno in errno.errorcode:
        return exc.strerror or errno.errorcode[exc.errno]
    return str(exc)


def decode(data: bytes) -> str:
    """Decode source bytes as Python would, or raise SourceError saying why not."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise SourceError("file contains NUL bytes (a binary file?)", line)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"invalid encoding declaration: {exc.msg}", exc.lineno) from None
    try:
        codecs.lookup(encoding)
        return data.decode(encoding)
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in the coding cookie") from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise SourceError(
            f"cannot decode byte 0x{byte} as {encoding} (declare the file's encoding "
            "with a PEP 263 coding cookie or save it as UTF-8)",
            line,
        ) from None


@dataclass(frozen=True)
class LineIndex:
    """Maps character offsets in a text to (line, column) and back to line text."""

    text: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> LineIndex:
        return cls(text, (0, *(m.end() for m in NEWLINE_RE.finditer(text))))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        if line < 1 or line > len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and 0-based column of a character offset."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]
