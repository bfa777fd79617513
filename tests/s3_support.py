"""A real S3 API on loopback for the tests: moto's server as a subprocess, and its clients.

Nothing reaches AWS: the endpoint, dummy credentials and a disabled instance-metadata
lookup are set for every client (boto3 in the tests, s3fs inside storyforge), and no
profile or credentials file of the machine running the tests is read.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

READY_TRIES = 600  # polls of 50 ms: a cold moto import takes a few seconds


@dataclass(frozen=True)
class MotoServer:
    """A moto server on 127.0.0.1."""

    endpoint: str

    def env(self, key: str = "testing", secret: str = "testing") -> dict[str, str]:
        """The environment an S3 client of this server needs, and nothing of the machine's."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": key,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def client(self, service: str = "s3", **keys: str) -> Any:
        """A boto3 client of this server."""
        import boto3  # type: ignore[import-untyped]

        env = self.env(**keys)
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self) -> str:
        """A fresh, empty bucket."""
        name = f"sf-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name


def free_port() -> int:
    """A loopback port nobody listens on (until someone binds it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(READY_TRIES):
        if process.poll() is not None:
            raise RuntimeError("moto_server exited before it listened")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.05):
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(0.05)
    raise RuntimeError("moto_server did not listen")


@contextlib.contextmanager
def moto_server() -> Iterator[MotoServer]:
    """Run `moto.server` on a free loopback port until the block ends."""
    pytest.importorskip("moto.server", reason="the dev extras (moto[server]) are not installed")
    port = free_port()
    server = MotoServer(f"http://127.0.0.1:{port}")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **server.env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(port, process)
        yield server
    finally:
        process.terminate()
        process.wait()


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """One moto server for the session; each test makes its own bucket."""
    with moto_server() as server:
        yield server


@pytest.fixture
def s3_env(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> MotoServer:
    """The process environment pointed at the moto server (s3fs reads it as boto3 does)."""
    for name, value in moto.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    return moto
