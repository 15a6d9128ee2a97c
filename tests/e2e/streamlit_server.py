"""Start ``streamlit run streamlit_app.py`` on a free local port, for browser tests and the measuring scripts.

Functions:
    free_port()                                   a free TCP port on 127.0.0.1
    wait_healthy(url, proc, timeout_s)            block until ``/_stcore/health`` answers 200
    run_streamlit(env, log_path, ...)             context manager: start the server, yield its URL, stop it

Also imported by ``scripts/measure_cold_start.py`` and ``scripts/screenshots.py`` (so all three start the
app the same way); it has no pytest dependency.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "ROOT", "free_port", "run_streamlit", "wait_healthy"]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    """Poll the health endpoint; fail early when the server process exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"streamlit did not become healthy at {url} within {timeout_s}s")


@contextlib.contextmanager
def run_streamlit(
    env: Mapping[str, str], log_path: Path, *, python: str = sys.executable, health_timeout_s: float = 60.0
) -> Iterator[str]:
    """Run the app with ``env`` added to this process's environment; yields ``http://127.0.0.1:<port>``."""
    port = free_port()
    full_env = dict(os.environ)
    full_env.update({"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env})
    cmd = [
        python,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "streamlit_app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
    ]
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(url, proc, health_timeout_s)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
