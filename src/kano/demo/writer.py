"""Streaming Parquet output: one file per table, fixed row groups, reproducible bytes.

Every table goes to ``<out_dir>/<table>.parquet`` at every size (one reader code path).
Rows are buffered and written in row groups of exactly ``row_group_rows`` (the last one
shorter), so the bytes depend only on the rows, not on how the generator happened to
batch them. Compression is zstd level 1, statistics on, no Arrow schema or timestamps in
the metadata. Writing runs on a background thread: pyarrow encodes and compresses
without the GIL, so on two cores it overlaps with the numpy work of the next chunk.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kano.demo.schema import TABLE_ORDER, dictionary_columns, write_schema

ProgressCallback = Callable[[str, int], None]
_COMPRESSION = "zstd"
_COMPRESSION_LEVEL = 1
_QUEUE_DEPTH = 12


class _TableFile:
    """One Parquet file, fed with Arrow tables of any length."""

    def __init__(self, path: Path, table: str, row_group_rows: int) -> None:
        self.schema = write_schema(table)
        self._row_group_rows = row_group_rows
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.rows = 0
        self._writer = pq.ParquetWriter(
            str(path),
            self.schema,
            compression=_COMPRESSION,
            compression_level=_COMPRESSION_LEVEL,
            use_dictionary=dictionary_columns(table) or False,
            store_schema=False,
            write_statistics=True,
        )

    def append(self, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        if not rows.schema.equals(self.schema):
            raise ValueError(f"rows do not match the schema of this table:\n{rows.schema}")
        self._pending.append(rows)
        self._pending_rows += rows.num_rows
        while self._pending_rows >= self._row_group_rows:
            self._write_row_group(self._row_group_rows)

    def _write_row_group(self, length: int) -> None:
        merged = pa.concat_tables(self._pending).combine_chunks()
        self._writer.write_table(merged.slice(0, length), row_group_size=length)
        rest = merged.slice(length)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows -= length
        self.rows += length

    def close(self) -> None:
        if self._pending_rows:
            self._write_row_group(self._pending_rows)
        self._writer.close()


class DatasetWriter:
    """All tables of one generated company; ``write`` returns at once, ``close`` waits."""

    def __init__(
        self,
        out_dir: Path,
        row_group_rows: int,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self._files = {
            name: _TableFile(out_dir / f"{name}.parquet", name, row_group_rows)
            for name in TABLE_ORDER
        }
        self._on_progress = on_progress
        self._queue: queue.Queue[tuple[str, pa.Table] | None] = queue.Queue(_QUEUE_DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="kano-demo-writer", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None:
                continue  # keep draining so the producer never blocks on a dead writer
            name, rows = item
            try:
                self._files[name].append(rows)
            except BaseException as error:  # re-raised on the caller's thread in close()
                self._error = error

    def write(self, name: str, rows: pa.Table) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((name, rows))
        if self._on_progress is not None and rows.num_rows:
            self._on_progress(name, rows.num_rows)

    def close(self) -> dict[str, int]:
        """Flush every file and return the row count per table."""
        self._queue.put(None)
        self._thread.join()
        for file in self._files.values():
            file.close()
        if self._error is not None:
            raise self._error
        return {name: file.rows for name, file in self._files.items()}
