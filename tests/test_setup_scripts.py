"""The set-up the README's two commands run: the package installer waits for another apt, and
``make run`` on another port mails links to that port (to localhost when served on every interface)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.mark.skipif(os.geteuid() != 0, reason="the installer only waits for the lock when it may install")
def test_the_installer_waits_for_another_package_manager_and_says_so(tmp_path):
    lock = tmp_path / "lock-frontend"
    with lock.open("w") as held:
        fcntl.lockf(held, fcntl.LOCK_EX)  # as dpkg takes it
        started = time.monotonic()
        result = subprocess.run(
            [ROOT / "scripts" / "ensure-debian-packages", "no-such-package-for-the-lock-test"],
            env={**os.environ, "APT_LOCK_FILES": str(lock), "APT_LOCK_WAIT": "2"},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert "waiting up to 2 s" in result.stdout
    assert time.monotonic() - started >= 2
    assert result.returncode == 1
    assert "still held after 2 s" in result.stderr
    assert "apt-get install no-such-package-for-the-lock-test" in result.stderr


def test_make_run_on_another_port_sends_links_to_that_port():
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=8101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    serve = next(line for line in result.stdout.splitlines() if "run-embedded" in line)
    assert "SITE_URL=http://127.0.0.1:8101" in serve
    assert serve.rstrip().endswith("run-embedded 127.0.0.1:8101")


def test_make_run_on_every_interface_sends_links_to_localhost():
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "HOST=0.0.0.0", "PORT=8101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    serve = next(line for line in result.stdout.splitlines() if "run-embedded" in line)
    assert "SITE_URL=http://localhost:8101" in serve
    assert serve.rstrip().endswith("run-embedded 0.0.0.0:8101")
