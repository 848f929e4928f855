"""The checkpoint log: signed statements about the audit chain, kept outside the database.

One JSON line per checkpoint in `<dir>/checkpoints.jsonl`, opened O_APPEND and fsynced, so
concurrent writers (server workers, commands) never interleave a line and a written checkpoint
survives a crash. The directory belongs on storage the database's administrators cannot rewrite
(another host, an append-only mount: ADR 0105); the key is never stored in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from pathlib import Path

from mdma_at.domain.audit import Checkpoint, read_checkpoint, sign_checkpoint

LOG_NAME = "checkpoints.jsonl"


def derive_audit_key(secret_key: str) -> bytes:
    """The checkpoint key derived from MDMA_AT_SECRET_KEY (HMAC with a purpose label), used when
    MDMA_AT_AUDIT_KEY is not set: one secret to manage, and a key used for nothing else."""
    return hmac.new(
        secret_key.encode("utf-8"), b"mdma-at audit checkpoints v1", hashlib.sha256
    ).digest()


class CheckpointLog:
    def __init__(self, directory: Path, key: bytes, *, durable: bool = True) -> None:
        self.directory = directory
        self.path = directory / LOG_NAME
        self._key = key
        # False only for a throwaway database (the simulated demo trial, ADR 0211): no fsync
        self.durable = durable

    def append(self, checkpoint: Checkpoint) -> None:
        line = (sign_checkpoint(checkpoint, self._key) + "\n").encode("utf-8")
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
            if self.durable:
                os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> Sequence[tuple[int, Checkpoint | None]]:
        """Every checkpoint with its line number; None for a line whose signature is wrong."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8", errors="replace") as lines:
            return [
                (number, read_checkpoint(line, self._key))
                for number, line in enumerate(lines, start=1)
                if line.strip()
            ]
