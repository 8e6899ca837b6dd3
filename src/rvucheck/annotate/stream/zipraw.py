"""A zip package copied part by part: untouched parts as their compressed bytes, changed ones written anew.

Python's zipfile re-compresses whatever it writes; the annotated copy must leave every part it does not
change byte for byte as it was (macros, pivot caches, images, ...), and copying compressed bytes is also
~100x faster than inflating and deflating them again. The reader side is zipfile's own (central directory,
zip64); this module reads the local header only to find where an entry's data starts.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO
from zipfile import ZipFile, ZipInfo

CHUNK = 1 << 20
LOCAL = struct.Struct("<IHHHHHIIIHH")  # signature .. extra length (30 bytes)
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # signature .. local header offset (46 bytes)
END = struct.Struct("<IHHHHIIH")
LIMIT = 0xFFFFFFFF  # no zip64 written: a package this size is far past what Excel opens
UTF8_NAMES = 0x800


class PackageTooLarge(Exception):
    """The copy would need zip64 records."""


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), (max(year, 1980) - 1980) << 9 | (month << 5) | day


class RawZipWriter:
    """Writes a zip file entry by entry: `copy` (compressed bytes of a source entry) or `open` (new data,
    deflated as it is written)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.central: list[bytes] = []
        self.names: set[str] = set()

    def _header(self, info: ZipInfo, flags: int, method: int, crc: int, sizes: tuple[int, int]) -> int:
        """Write a local header; returns its offset."""
        name = info.filename.encode("utf-8")
        if not info.filename.isascii():
            flags |= UTF8_NAMES
        offset = self.stream.tell()
        if offset > LIMIT or max(sizes) > LIMIT:
            raise PackageTooLarge(info.filename)
        time, date = _dos_time(info.date_time)
        self.stream.write(LOCAL.pack(0x04034B50, 20, flags, method, time, date, crc, *sizes, len(name), 0))
        self.stream.write(name)
        return offset

    def _central(
        self, info: ZipInfo, flags: int, method: int, crc: int, sizes: tuple[int, int], at: int
    ) -> None:
        name = info.filename.encode("utf-8")
        if not info.filename.isascii():
            flags |= UTF8_NAMES
        time, date = _dos_time(info.date_time)
        self.central.append(
            CENTRAL.pack(0x02014B50, 20, 20, flags, method, time, date, crc, *sizes, len(name), 0, 0, 0, 0,
                         info.external_attr & LIMIT, at) + name
        )  # fmt: skip
        self.names.add(info.filename)

    def copy(self, archive: ZipFile, source: IO[bytes], info: ZipInfo) -> None:
        """Copy entry `info` of `archive` (open on `source`) as its compressed bytes."""
        if info.flag_bits & 0x1:
            raise ValueError(f"{info.filename} is encrypted")
        source.seek(info.header_offset)
        fields = LOCAL.unpack(source.read(LOCAL.size))
        source.seek(fields[9] + fields[10], 1)  # name and extra field
        flags = info.flag_bits & ~0x8 & ~UTF8_NAMES  # sizes are in this header: no data descriptor
        sizes = (info.compress_size, info.file_size)
        at = self._header(info, flags, info.compress_type, info.CRC, sizes)
        left = info.compress_size
        while left:
            chunk = source.read(min(CHUNK, left))
            if not chunk:
                raise ValueError(f"{info.filename} is cut short")
            self.stream.write(chunk)
            left -= len(chunk)
        self._central(info, flags, info.compress_type, info.CRC, sizes, at)

    @contextmanager
    def open(self, name: str, like: ZipInfo | None = None, level: int = 6) -> Iterator[_Deflater]:
        """A new entry (deflated at `level`); its header is completed when the block ends."""
        info = ZipInfo(name, date_time=like.date_time if like else (1980, 1, 1, 0, 0, 0))
        info.external_attr = like.external_attr if like else 0o600 << 16
        at = self._header(info, 0, 8, 0, (0, 0))
        deflater = _Deflater(self.stream, level)
        yield deflater
        deflater.finish()
        sizes = (deflater.compressed, deflater.size)
        end = self.stream.tell()
        if max(sizes) > LIMIT:
            raise PackageTooLarge(name)
        self.stream.seek(at + 14)
        self.stream.write(struct.pack("<III", deflater.crc, *sizes))
        self.stream.seek(end)
        self._central(info, 0, 8, deflater.crc, sizes, at)

    def write(self, name: str, data: bytes, like: ZipInfo | None = None) -> None:
        with self.open(name, like) as entry:
            entry.write(data)

    def close(self) -> None:
        start = self.stream.tell()
        for record in self.central:
            self.stream.write(record)
        size = self.stream.tell() - start
        if start > LIMIT or len(self.central) > 0xFFFF:
            raise PackageTooLarge("central directory")
        count = len(self.central)
        self.stream.write(END.pack(0x06054B50, 0, 0, count, count, size, start, 0))


class _Deflater:
    def __init__(self, stream: IO[bytes], level: int) -> None:
        self.stream = stream
        self.engine = zlib.compressobj(level, zlib.DEFLATED, -15)
        self.crc = 0
        self.size = 0
        self.compressed = 0

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        packed = self.engine.compress(data)
        self.compressed += len(packed)
        self.stream.write(packed)

    def finish(self) -> None:
        packed = self.engine.flush()
        self.compressed += len(packed)
        self.stream.write(packed)
