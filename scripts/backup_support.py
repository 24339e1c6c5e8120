"""The Python half of ``scripts/backup`` and ``scripts/restore`` (docs/deployment.md, "Backup and
restore"): what the app's settings say about the database and the storage, SQLite's online
backup, the stored objects copied out and back with their checksums, and the manifest.

Run as ``python scripts/backup_support.py COMMAND …`` from the project root; the shell scripts
do. Reads the same environment as the app (DATABASE_URL, STORAGE, MEDIA_ROOT, S3_*).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import mimetypes
import os
import posixpath
import shlex
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

ROOT = Path(__file__).resolve().parent.parent
CHUNK_BYTES = 1024 * 1024
MANIFEST = "manifest.json"
CHECKSUMS = "media.sha256"
MEDIA_DIR = "media"
FORMAT = 1


@functools.cache
def _settings() -> Any:
    # The settings alone, without django.setup(): the storage and the database's address need
    # no app loaded, and loading them all would cost seconds at each step.
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018  (reads the settings now: a mistake in them shows here)
    return settings


def _storage() -> Any:
    _settings()
    from django.core.files.storage import default_storage

    return default_storage


class Problem(Exception):
    """Something the person running the script must put right; printed without a traceback."""


# --- What the settings say -------------------------------------------------------------------


def describe() -> None:
    """Shell assignments for the scripts: the database's engine and how to reach it, the storage."""
    settings = _settings()
    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    if engine not in {"postgresql", "sqlite3"}:
        raise Problem(f"Only PostgreSQL and SQLite databases can be backed up here, not {engine}.")
    values = {
        "DB_ENGINE": "postgresql" if engine == "postgresql" else "sqlite",
        "DB_NAME": str(database["NAME"]),
        "STORAGE_BACKEND": settings.STORAGE_BACKEND,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "S3_BUCKET": os.environ.get("S3_BUCKET", ""),
    }
    if engine == "postgresql":
        # libpq's own variables: pg_dump, pg_restore and psql read them, and no password
        # appears on a command line.
        values.update(
            PGHOST=str(database.get("HOST") or ""),
            PGPORT=str(database.get("PORT") or ""),
            PGUSER=str(database.get("USER") or ""),
            PGPASSWORD=str(database.get("PASSWORD") or ""),
            PGDATABASE=str(database["NAME"]),
        )
    for key, value in values.items():
        print(f"{key}={shlex.quote(value)}")


# --- SQLite ------------------------------------------------------------------------------------


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"  # as_uri escapes a "?" or "#" in the path


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its online backup, not a file copy)."""
    if not source.is_file():
        raise Problem(f"No SQLite database at {source}.")
    with (
        closing(sqlite3.connect(_read_only(source), uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    with closing(sqlite3.connect(target)) as check:
        (result,) = check.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise Problem(f"The copy of {source} fails SQLite's integrity check: {result}")


def sqlite_table_count(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with closing(sqlite3.connect(_read_only(path), uri=True)) as db:
        (count,) = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return int(count)


# --- Stored objects ------------------------------------------------------------------------------


def _safe_relative(name: str) -> str:
    """An object's name as a path inside the backup, refusing one that would climb out of it."""
    clean = posixpath.normpath(name.replace("\\", "/"))
    if clean in {"", ".", ".."} or clean.startswith(("/", "../")) or "\x00" in clean:
        raise Problem(f"Refusing a stored object with an unsafe name: {name!r}")
    return clean


def _copy_hashing(source: BinaryIO, target: Path) -> tuple[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with target.open("xb") as out:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _local_objects(media_root: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(media_root.rglob("*")):
        if path.is_symlink():
            print(f"Skipping the symbolic link {path}: the app never stores one.", file=sys.stderr)
        elif path.is_file():
            yield path.relative_to(media_root).as_posix(), path


def _s3_prefix(storage: Any) -> str:
    location = (storage.location or "").strip("/")
    return f"{location}/" if location else ""


def backup_media(target: Path) -> dict[str, Any]:
    """Copy every stored object into ``target/media``, writing ``media.sha256`` as it goes."""
    storage = _storage()
    settings = _settings()
    media = target / MEDIA_DIR
    media.mkdir()
    count = total = 0
    with (target / CHECKSUMS).open("x", encoding="utf-8") as sums:
        if settings.STORAGE_BACKEND == "s3":
            prefix = _s3_prefix(storage)
            source = f"s3://{storage.bucket_name}/{prefix}"
            for summary in storage.bucket.objects.filter(Prefix=prefix):
                if summary.key.endswith("/"):
                    continue  # a "folder" marker some tools make, not an object
                name = _safe_relative(summary.key[len(prefix) :])
                body = summary.Object().get()["Body"]
                try:
                    digest, size = _copy_hashing(body, media / name)
                finally:
                    body.close()
                sums.write(f"{digest}  {name}\n")
                count, total = count + 1, total + size
        else:
            media_root = Path(settings.MEDIA_ROOT)
            source = str(media_root)
            if media_root.is_dir():
                for name, path in _local_objects(media_root):
                    with path.open("rb") as handle:
                        digest, size = _copy_hashing(handle, media / name)
                    sums.write(f"{digest}  {name}\n")
                    count, total = count + 1, total + size
    return {
        "backend": settings.STORAGE_BACKEND,
        "source": source,
        "directory": MEDIA_DIR,
        "checksums": CHECKSUMS,
        "objects": count,
        "bytes": total,
    }


def _checksums(backup: Path) -> Iterator[tuple[str, str]]:
    with (backup / CHECKSUMS).open(encoding="utf-8") as sums:
        for line in sums:
            digest, name = line.rstrip("\n").split("  ", 1)
            yield digest, _safe_relative(name)


def storage_is_empty() -> bool:
    storage = _storage()
    settings = _settings()
    if settings.STORAGE_BACKEND == "s3":
        return not any(True for _ in storage.bucket.objects.filter(Prefix=_s3_prefix(storage)).limit(1))
    media_root = Path(settings.MEDIA_ROOT)
    return not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def restore_media(backup: Path) -> tuple[int, int]:
    """Put every object of the backup into the configured storage, checking each against
    ``media.sha256`` as it is read. Objects of the same name are replaced."""
    storage = _storage()
    settings = _settings()
    media = backup / MEDIA_DIR
    count = total = 0
    for expected, name in _checksums(backup):
        source = media / name
        if settings.STORAGE_BACKEND == "s3":
            digest, size = _file_sha256(source)
            if digest == expected:
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                with source.open("rb") as handle:
                    storage.bucket.upload_fileobj(
                        handle, _s3_prefix(storage) + name, ExtraArgs={"ContentType": content_type}
                    )
        else:
            target = Path(settings.MEDIA_ROOT) / name
            target.unlink(missing_ok=True)
            with source.open("rb") as handle:
                digest, size = _copy_hashing(handle, target)
        if digest != expected:
            raise Problem(f"The backup's copy of {name} does not match its checksum: the backup is damaged.")
        count, total = count + 1, total + size
    return count, total


# --- The manifest ----------------------------------------------------------------------------------


def _file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _git(*args: str) -> str:
    try:
        result = subprocess.run(  # noqa: S603
            ["git", *args],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip()


def _version() -> str:
    try:
        with (ROOT / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""


def write_manifest(backup: Path, *, engine: str, name: str, dump: str, storage: dict[str, Any]) -> None:
    digest, size = _file_sha256(backup / dump)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "app": {
            "version": _version(),
            "git_sha": _git("rev-parse", "HEAD"),
            "git_describe": _git("describe", "--always", "--dirty"),
        },
        "database": {
            "engine": engine,
            "name": name,
            "file": dump,
            "format": "pg_dump custom" if engine == "postgresql" else "sqlite3",
            "bytes": size,
            "sha256": digest,
        },
        "storage": storage,
    }
    (backup / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def read_manifest(backup: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Problem(f"{backup} has no readable {MANIFEST}: is it a backup folder? ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise Problem(
            f"{backup}/{MANIFEST} is in format {manifest.get('format')!r}; this script reads {FORMAT}."
        )
    return manifest


def check_backup(backup: Path) -> dict[str, Any]:
    """The database file against the manifest's digest, and every object media.sha256 lists
    present under a safe name (their digests are checked as they are restored)."""
    manifest = read_manifest(backup)
    database = manifest["database"]
    dump = backup / _safe_relative(database["file"])
    if not dump.is_file() or _file_sha256(dump)[0] != database["sha256"]:
        raise Problem(f"{dump} is missing or does not match the manifest's SHA-256: the backup is damaged.")
    count = 0
    for _digest, name in _checksums(backup):
        if not (backup / MEDIA_DIR / name).is_file():
            raise Problem(
                f"The backup has no copy of {name}, which media.sha256 lists: the backup is damaged."
            )
        count += 1
    if count != manifest["storage"]["objects"]:
        raise Problem(f"media.sha256 lists {count} objects, the manifest {manifest['storage']['objects']}.")
    return manifest


# --- Command line -----------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backup_support.py")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("describe")
    copy = commands.add_parser("sqlite-copy")
    copy.add_argument("source", type=Path)
    copy.add_argument("target", type=Path)
    tables = commands.add_parser("sqlite-tables")
    tables.add_argument("path", type=Path)
    media = commands.add_parser("backup-media")
    media.add_argument("backup", type=Path)
    manifest = commands.add_parser("manifest")
    manifest.add_argument("backup", type=Path)
    manifest.add_argument("--engine", required=True)
    manifest.add_argument("--name", required=True)
    manifest.add_argument("--dump", required=True)
    manifest.add_argument("--storage", required=True, help="backup-media's JSON")
    check = commands.add_parser("check")
    check.add_argument("backup", type=Path)
    commands.add_parser("storage-empty")
    restore = commands.add_parser("restore-media")
    restore.add_argument("backup", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "describe":
            describe()
        elif args.command == "sqlite-copy":
            sqlite_copy(args.source, args.target)
        elif args.command == "sqlite-tables":
            print(sqlite_table_count(args.path))
        elif args.command == "backup-media":
            print(json.dumps(backup_media(args.backup)))
        elif args.command == "manifest":
            write_manifest(
                args.backup,
                engine=args.engine,
                name=args.name,
                dump=args.dump,
                storage=json.loads(args.storage),
            )
        elif args.command == "check":
            found = check_backup(args.backup)
            print(f"DUMP_FILE={shlex.quote(found['database']['file'])}")
            print(f"DUMP_ENGINE={shlex.quote(found['database']['engine'])}")
        elif args.command == "storage-empty":
            return 0 if storage_is_empty() else 1
        elif args.command == "restore-media":
            count, total = restore_media(args.backup)
            print(f"{count} stored objects restored ({total} bytes).")
    except Problem as problem:
        print(problem, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
