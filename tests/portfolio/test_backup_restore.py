"""The restore drill: scripts/backup, scripts/restore into a fresh database and storage, and
manage.py verify_restore on the copy, which passes, then names exactly the records a damaged
copy changed. On PostgreSQL (DATABASE_URL) through pg_dump and pg_restore; on SQLite through its
online backup. docs/deployment.md, "Backup and restore"."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import boto3  # type: ignore[import-untyped]
import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from core import integrity
from core.models import PortfolioVersion, VersionFile

ROOT = Path(settings.BASE_DIR)
ON_POSTGRES = connection.vendor == "postgresql"
NAMED = re.compile(r"^(\w+\.\w+) (\d+): ", re.MULTILINE)


def _run(*command: str | Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _env(*, database_url: str, media_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "PG"))}
    env.update(DATABASE_URL=database_url, STORAGE="local", MEDIA_ROOT=str(media_root))
    env.pop("TESTING", None)
    return env


def _backup(env: dict[str, str], into: Path) -> Path:
    result = _run(ROOT / "scripts" / "backup", into, env=env)
    return Path(result.stdout.strip().splitlines()[-1])


def _named(stderr: str) -> set[tuple[str, int]]:
    return {(model, int(pk)) for model, pk in NAMED.findall(stderr)}


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(name)}"


def _pg_admin() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def restored_pg_database():
    """A database name for the restore, dropped afterwards whatever happened."""
    name = f"{connection.settings_dict['NAME']}_restored"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with closing(_pg_admin()) as admin:
        admin.execute(drop)
    yield name
    with closing(_pg_admin()) as admin:
        admin.execute(drop)


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump and pg_restore need PostgreSQL: set DATABASE_URL to run")
@pytest.mark.django_db(transaction=True)
def test_the_postgresql_drill(version, filled, tmp_path, restored_pg_database):
    assert shutil.which("pg_dump"), "pg_dump is missing: install postgresql-client"
    source = _env(database_url=_pg_url(connection.settings_dict["NAME"]), media_root=settings.MEDIA_ROOT)
    backup = _backup(source, tmp_path / "backups")

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["engine"] == "postgresql"
    assert manifest["database"]["name"] == connection.settings_dict["NAME"]
    assert manifest["database"]["format"] == "pg_dump custom"
    assert (
        manifest["database"]["sha256"] == hashlib.sha256((backup / "database.dump").read_bytes()).hexdigest()
    )
    assert (backup / "database.dump").read_bytes().startswith(b"PGDMP")  # the custom format
    assert manifest["storage"]["objects"] == 1
    assert manifest["storage"]["bytes"] == filled["file"].file_size

    target = _env(database_url=_pg_url(restored_pg_database), media_root=tmp_path / "restored-media")
    _check_drill(backup, target, version, filled, alter_snapshot=_alter_pg_snapshot(restored_pg_database))


def _alter_pg_snapshot(name: str):
    def alter(pk: int) -> None:
        db = connection.settings_dict
        with closing(
            psycopg.connect(
                host=db["HOST"] or "127.0.0.1",
                port=db["PORT"] or 5432,
                user=db["USER"],
                password=db["PASSWORD"] or None,
                dbname=name,
                autocommit=True,
            )
        ) as restored:
            restored.execute(
                "UPDATE portfolio_portfolioversion "
                "SET snapshot = jsonb_set(snapshot, '{portfolio,learner}', '\"Someone Else\"') WHERE id = %s",
                [pk],
            )

    return alter


# --- SQLite ------------------------------------------------------------------------------------------


def _alter_sqlite_snapshot(path: Path):
    def alter(pk: int) -> None:
        with closing(sqlite3.connect(path)) as restored, restored:
            restored.execute(
                "UPDATE portfolio_portfolioversion "
                "SET snapshot = json_set(snapshot, '$.portfolio.learner', 'Someone Else') WHERE id = ?",
                [pk],
            )

    return alter


@pytest.mark.skipif(
    ON_POSTGRES, reason="the suite runs on PostgreSQL: its drill is test_the_postgresql_drill"
)
@pytest.mark.django_db(transaction=True)
def test_the_sqlite_drill(version, filled, tmp_path):
    source = _env(
        database_url=f"sqlite:///{connection.settings_dict['NAME']}", media_root=settings.MEDIA_ROOT
    )
    backup = _backup(source, tmp_path / "backups")

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["engine"] == "sqlite"
    assert (
        manifest["database"]["sha256"]
        == hashlib.sha256((backup / "database.sqlite3").read_bytes()).hexdigest()
    )
    restored = tmp_path / "restored.sqlite3"
    target = _env(database_url=f"sqlite:///{restored}", media_root=tmp_path / "restored-media")
    _check_drill(backup, target, version, filled, alter_snapshot=_alter_sqlite_snapshot(restored))


def _check_drill(backup: Path, target: dict[str, str], version, filled, *, alter_snapshot) -> None:
    restore = _run(ROOT / "scripts" / "restore", backup, env=target)
    assert "Every version and stored file matches its digest." in restore.stdout

    # Damage the copy: one stored file, one frozen snapshot.
    upload = filled["file"]
    with (Path(target["MEDIA_ROOT"]) / upload.file.name).open("ab") as stored:
        stored.write(b"\0")
    alter_snapshot(version.pk)
    result = _run(sys.executable, ROOT / "manage.py", "verify_restore", env=target, check=False)

    assert result.returncode == 1, result.stderr
    kept = VersionFile.objects.get(version=version)
    assert _named(result.stderr) == {
        ("evidence.Evidence", upload.pk),
        ("portfolio.VersionFile", kept.pk),  # the version's copy is the same stored object
        ("portfolio.PortfolioVersion", version.pk),
    }, result.stderr
    assert f"wrong digest for {upload.file.name}" in result.stderr
    assert "3 records differ" in result.stderr
    assert PortfolioVersion.objects.get(pk=version.pk).digest == version.digest  # the source is untouched

    # The damaged copy is not empty: refused, unless --force, which makes it whole again.
    refused = _run(ROOT / "scripts" / "restore", backup, env=target, check=False)
    assert refused.returncode == 1
    assert "database" in refused.stderr
    assert "is not empty: restore into a fresh one, or run again with --force" in refused.stderr
    forced = _run(ROOT / "scripts" / "restore", "--force", backup, env=target)
    assert "Every version and stored file matches its digest." in forced.stdout


# --- The SQLite backup and restore themselves, whatever the suite's database -------------------------


@pytest.fixture
def small_site(tmp_path):
    """A SQLite database and a MEDIA_ROOT, made by hand: the scripts copy them, whatever they hold."""
    database = tmp_path / "site.sqlite3"
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("CREATE TABLE evidence (id INTEGER PRIMARY KEY, title TEXT)")
        db.executemany("INSERT INTO evidence (title) VALUES (?)", [("Screenshot",), ("Reflection",)])
    media = tmp_path / "media"
    (media / "evidence" / "1").mkdir(parents=True)
    (media / "evidence" / "1" / "a.png").write_bytes(b"\x89PNG 1234")
    (media / "exports" / "1").mkdir(parents=True)
    (media / "exports" / "1" / "Café.pdf").write_bytes(b"%PDF-1.7 x")
    return _env(database_url=f"sqlite:///{database}", media_root=media)


def _targets(tmp_path: Path, name: str = "copy") -> dict[str, str]:
    return _env(database_url=f"sqlite:///{tmp_path / name}.sqlite3", media_root=tmp_path / f"{name}-media")


def test_a_sqlite_site_is_backed_up_with_its_manifest_and_restored(small_site, tmp_path):
    backup = _backup(small_site, tmp_path / "backups")

    assert re.fullmatch(r"portfolio-\d{8}T\d{6}Z", backup.name)
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["format"] == 1
    assert manifest["created_at"].endswith("Z")
    assert re.fullmatch(r"[0-9a-f]{40}", manifest["app"]["git_sha"])
    assert manifest["app"]["version"] == "0.1.0"
    assert manifest["database"]["file"] == "database.sqlite3"
    assert (
        manifest["database"]["sha256"]
        == hashlib.sha256((backup / "database.sqlite3").read_bytes()).hexdigest()
    )
    assert manifest["storage"] | {"source": ""} == {
        "backend": "local",
        "source": "",
        "directory": "media",
        "checksums": "media.sha256",
        "objects": 2,
        "bytes": 19,
    }
    assert (backup / "media.sha256").read_text().splitlines() == [
        f"{hashlib.sha256(b'\x89PNG 1234').hexdigest()}  evidence/1/a.png",
        f"{hashlib.sha256(b'%PDF-1.7 x').hexdigest()}  exports/1/Café.pdf",
    ]
    assert oct((backup / "database.sqlite3").stat().st_mode & 0o777) == "0o600"  # personal data

    target = _targets(tmp_path)
    _run(ROOT / "scripts" / "restore", "--no-verify", backup, env=target)

    with closing(sqlite3.connect(tmp_path / "copy.sqlite3")) as copy:
        assert copy.execute("SELECT title FROM evidence ORDER BY id").fetchall() == [
            ("Screenshot",),
            ("Reflection",),
        ]
    assert (tmp_path / "copy-media" / "exports" / "1" / "Café.pdf").read_bytes() == b"%PDF-1.7 x"

    again = _run(ROOT / "scripts" / "restore", "--no-verify", backup, env=target, check=False)
    assert again.returncode == 1
    assert "is not empty: restore into a fresh one, or run again with --force" in again.stderr
    forced = _run(ROOT / "scripts" / "restore", "--no-verify", "--force", backup, env=target, check=False)
    assert forced.returncode == 0, forced.stderr


def test_a_restore_refuses_a_non_empty_storage_before_touching_the_database(small_site, tmp_path):
    backup = _backup(small_site, tmp_path / "backups")
    target = _targets(tmp_path)
    Path(target["MEDIA_ROOT"]).mkdir()
    (Path(target["MEDIA_ROOT"]) / "someone-elses.txt").write_text("keep me")

    result = _run(ROOT / "scripts" / "restore", "--no-verify", backup, env=target, check=False)

    assert result.returncode == 1
    assert "The local storage" in result.stderr
    assert not (tmp_path / "copy.sqlite3").exists()


def test_a_damaged_backup_is_refused(small_site, tmp_path):
    backup = _backup(small_site, tmp_path / "backups")
    with (backup / "media" / "evidence" / "1" / "a.png").open("ab") as damaged:
        damaged.write(b"!")

    result = _run(ROOT / "scripts" / "restore", "--no-verify", backup, env=_targets(tmp_path), check=False)

    assert result.returncode != 0
    assert "The backup's copy of evidence/1/a.png does not match its checksum" in result.stderr

    with (backup / "database.sqlite3").open("ab") as damaged:
        damaged.write(b"!")
    result = _run(
        ROOT / "scripts" / "restore", "--no-verify", backup, env=_targets(tmp_path, "other"), check=False
    )
    assert result.returncode != 0
    assert "does not match the manifest's SHA-256" in result.stderr
    assert not (tmp_path / "other.sqlite3").exists()


@pytest.mark.parametrize("name", ["../../outside.txt", "/etc/passwd-copy", "a/../../outside.txt"])
def test_a_checksum_list_naming_a_path_outside_the_storage_is_refused(small_site, tmp_path, name):
    backup = _backup(small_site, tmp_path / "backups")
    (backup / "media.sha256").write_text(f"{'0' * 64}  {name}\n")

    result = _run(ROOT / "scripts" / "restore", "--no-verify", backup, env=_targets(tmp_path), check=False)

    assert result.returncode != 0
    assert "Refusing a stored object with an unsafe name" in result.stderr
    assert not (tmp_path / "outside.txt").exists()
    assert not (tmp_path.parent / "outside.txt").exists()


# --- S3 storage, against moto's S3 server on loopback ------------------------------------------------

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
S3_KEYS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing", "S3_REGION": "us-east-1"}


@pytest.fixture
def s3_endpoint():
    """moto's S3 server on a free loopback port, stopped afterwards."""
    if not MOTO_SERVER.exists():
        pytest.skip("moto's server (moto[server] in requirements-dev.txt) is not installed")
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with closing(socket.create_connection(("127.0.0.1", port), timeout=0.2)):
                    break
            except OSError:
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _bucket(endpoint: str, name: str):
    s3 = boto3.resource(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    bucket = s3.Bucket(name)
    bucket.create()
    return bucket


def _s3_env(env: dict[str, str], endpoint: str, bucket: str) -> dict[str, str]:
    return {**env, **S3_KEYS, "STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint}


def test_an_s3_bucket_is_backed_up_and_restored_into_an_empty_bucket(small_site, tmp_path, s3_endpoint):
    source = _bucket(s3_endpoint, "site")
    source.put_object(Key="evidence/1/a.png", Body=b"\x89PNG 1234")
    source.put_object(Key="exports/1/b.pdf", Body=b"%PDF-1.7 x")
    backup = _backup(_s3_env(small_site, s3_endpoint, "site"), tmp_path / "backups")

    storage = json.loads((backup / "manifest.json").read_text())["storage"]
    assert (storage["backend"], storage["source"], storage["objects"], storage["bytes"]) == (
        "s3",
        "s3://site/",
        2,
        19,
    )
    assert (backup / "media" / "exports" / "1" / "b.pdf").read_bytes() == b"%PDF-1.7 x"

    copy = _bucket(s3_endpoint, "copy")
    target = _s3_env(_targets(tmp_path), s3_endpoint, "copy")
    _run(ROOT / "scripts" / "restore", "--no-verify", backup, env=target)

    assert {o.key: o.get()["Body"].read() for o in copy.objects.all()} == {
        "evidence/1/a.png": b"\x89PNG 1234",
        "exports/1/b.pdf": b"%PDF-1.7 x",
    }
    again = _run(
        ROOT / "scripts" / "restore",
        "--no-verify",
        backup,
        env=_s3_env(_targets(tmp_path, "b"), s3_endpoint, "copy"),
        check=False,
    )
    assert again.returncode == 1
    assert "The s3 storage (copy) is not empty" in again.stderr


def test_an_object_key_that_climbs_out_of_the_backup_is_refused(small_site, tmp_path, s3_endpoint):
    _bucket(s3_endpoint, "hostile").put_object(Key="../../outside.txt", Body=b"x")

    result = _run(
        ROOT / "scripts" / "backup",
        tmp_path / "backups",
        env=_s3_env(small_site, s3_endpoint, "hostile"),
        check=False,
    )

    assert result.returncode != 0
    assert "Refusing a stored object with an unsafe name: '../../outside.txt'" in result.stderr
    assert not (tmp_path / "outside.txt").exists()
    assert list((tmp_path / "backups").iterdir()) == []  # the partial folder is removed


@pytest.mark.django_db
def test_verify_restore_streams_files_from_s3(version, filled, s3_endpoint, settings):
    # The version's file is copied into a bucket as a restore would; the check reads it from there.
    bucket = _bucket(s3_endpoint, "verified")
    upload = filled["file"]
    bucket.put_object(Key=upload.file.name, Body=upload.file.open("rb").read())
    upload.file.close()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "verified",
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
            },
        },
    }
    assert integrity.verify_integrity().ok

    bucket.put_object(Key=upload.file.name, Body=b"changed")
    report = integrity.verify_integrity()

    assert {(d.model, d.pk) for d in report.differences} == {
        ("evidence.Evidence", upload.pk),
        ("portfolio.VersionFile", VersionFile.objects.get().pk),
    }
