"""Blobs in object storage through fsspec (`s3://`, `gs://`): fsspec's one home.

Imported only when a remote cache is configured, so a plain install needs no fsspec.
Credentials and the endpoint are whatever the provider's library finds in the usual
environment and profiles (for S3 `AWS_PROFILE`, `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_S3`,
as boto3 reads them): storyforge passes none of them and keeps none of them.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from typing import Any, cast

from storyforge.errors import UsageError

_EXTRA = {"s3": "s3fs", "gs": "gcsfs", "gcs": "gcsfs"}


class RemoteBlobs:
    """`Blobs` below `url` (a bucket and prefix) in an fsspec file system."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._fs, self._root = _open(self.url)

    def read(self, name: str, *, limit: int) -> bytes:
        """The bytes under `name`, refused past `limit` before they are fetched."""
        size = self.size(name)
        if size is None:
            raise FileNotFoundError(errno.ENOENT, "not found")
        if size > limit:
            raise OSError(errno.EFBIG, "larger than the store allows")
        with _translated():
            data = cast("bytes", self._fs.cat_file(self._path(name)))
        if len(data) > limit:  # it grew between the two requests
            raise OSError(errno.EFBIG, "larger than the store allows")
        return data

    def size(self, name: str) -> int | None:
        """The size of `name`, or None when it is absent."""
        try:
            with _translated():
                info = cast("dict[str, Any]", self._fs.info(self._path(name)))
        except FileNotFoundError:
            return None
        if info.get("type") != "file":
            return None
        return int(info.get("size") or 0)

    def create(self, name: str, data: bytes) -> None:
        """Upload `name` only if absent (S3's `If-None-Match: *`): FileExistsError when taken."""
        with _translated():
            self._fs.pipe_file(self._path(name), data, mode="create")

    def replace(self, name: str, data: bytes) -> None:
        """Upload `name` over what is there; one PUT, so readers see all of it or none."""
        with _translated():
            self._fs.pipe_file(self._path(name), data)

    def probe(self) -> None:
        """Raise OSError when the bucket cannot be reached."""
        with _translated():
            self._fs.ls(self._root, detail=False)

    def _path(self, name: str) -> str:
        return f"{self._root}/{name}"


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Every failure as an OSError: the libraries below raise their own types too."""
    try:
        yield
    except OSError:
        raise
    except Exception as error:  # a connection or credential error of botocore or google-auth
        kind = type(error).__name__
        if "Credential" in kind or "Auth" in kind:
            raise PermissionError(errno.EACCES, kind) from None
        if "Connect" in kind or "Endpoint" in kind or "Timeout" in kind:
            raise ConnectionError(errno.EHOSTUNREACH, kind) from None
        raise OSError(errno.EIO, kind) from None


def _open(url: str) -> tuple[Any, str]:
    scheme = url.split("://", 1)[0]
    try:
        import fsspec  # type: ignore[import-untyped,unused-ignore]

        # No listings cache: another machine's upload must be seen at once.
        fs, root = fsspec.core.url_to_fs(url, use_listings_cache=False, skip_instance_cache=True)
    except ImportError as error:
        package = _EXTRA.get(scheme, "the fsspec package for it")
        raise UsageError(
            f"the shared cache {url} needs fsspec and {package}: "
            "pip install 'storyforge[cache]', or pass --no-cache"
        ) from error
    except ValueError as error:  # an unknown protocol
        raise UsageError(
            f"the shared cache {url}: unknown storage {scheme!r}; use a folder, s3:// or gs://"
        ) from error
    return fs, str(root).rstrip("/")
