"""Media files on local disk under one root; writes are atomic (temp file + rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class MediaStorage:
    """Stores bytes under relative POSIX paths below ``root``."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    def path(self, relative: str) -> Path:
        """Absolute path of ``relative``; refuses paths that leave the root."""
        target = (self.root / relative).resolve()
        if self.root != target and self.root not in target.parents:
            raise ValueError("path outside media root")
        return target

    def save(self, relative: str, data: bytes) -> str:
        """Write ``data`` atomically; returns ``relative``."""
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return relative

    def exists(self, relative: str) -> bool:
        """True if the file is there."""
        return self.path(relative).is_file()

    def delete(self, relative: str) -> None:
        """Remove a file if present."""
        self.path(relative).unlink(missing_ok=True)
