"""One suite, every store tier: the local `.storyforge/`, a shared folder, S3 (moto on loopback).

Each implementation is driven only through the `StoreTier` protocol; the fixture knows how
to damage its bytes behind its back (as a disk, a crash or a teammate's bug would) and how
to open a second instance on the same storage (another machine).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from storyforge.errors import StoreError
from storyforge.store.entries import Entry, StoredOutput
from storyforge.store.folderblobs import FolderBlobs
from storyforge.store.objects import Store
from storyforge.store.shared import SharedTier
from storyforge.store.tiers import StoreTier
from tests.s3_support import MotoServer, moto, s3_env  # noqa: F401  (fixtures)

IMPLEMENTATIONS = ["local", "folder", "s3"]
KEY = "ab" * 32


@dataclass
class Impl:
    """A store tier under test and what the suite may do behind its back."""

    name: str
    open: Callable[[], StoreTier]  # another instance on the same storage: another machine
    plant: Callable[[str, bytes], None]  # bytes under a blob name, bypassing the tier
    leave_partial: Callable[[str, bytes], None]  # what a writer killed mid-upload leaves
    warnings: list[str]

    @property
    def shared(self) -> bool:
        return self.name != "local"


def _local(root: Path, warnings: list[str]) -> Impl:
    def plant(name: str, data: bytes) -> None:
        path = root.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def partial(name: str, data: bytes) -> None:
        folder, _, last = name.rpartition("/")
        plant(f"{folder}/.{last}.0123456789ab.tmp", data[: len(data) // 2])

    return Impl("local", lambda: Store(root, warn=warnings.append), plant, partial, warnings)


def _folder(root: Path, warnings: list[str]) -> Impl:
    impl = _local(root, warnings)
    root.mkdir(parents=True, exist_ok=True)

    def open_() -> StoreTier:
        return SharedTier(FolderBlobs(root), str(root), warn=warnings.append)

    return Impl("folder", open_, impl.plant, impl.leave_partial, warnings)


def _s3(server: MotoServer, warnings: list[str]) -> Impl:
    from storyforge.store.remote import RemoteBlobs

    bucket = server.new_bucket()
    client = server.client()
    url = f"s3://{bucket}/team/cache"

    def open_() -> StoreTier:
        return SharedTier(RemoteBlobs(url), url, warn=warnings.append)

    def plant(name: str, data: bytes) -> None:
        client.put_object(Bucket=bucket, Key=f"team/cache/{name}", Body=data)

    def partial(name: str, data: bytes) -> None:
        # A killed multipart upload: parts sent, never completed, so no object is named.
        key = f"team/cache/{name}"
        upload = client.create_multipart_upload(Bucket=bucket, Key=key)
        client.upload_part(
            Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=data[:10]
        )

    return Impl("s3", open_, plant, partial, warnings)


@pytest.fixture(params=IMPLEMENTATIONS)
def impl(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Impl]:
    warnings: list[str] = []
    if request.param == "local":
        yield _local(tmp_path / ".storyforge", warnings)
    elif request.param == "folder":
        yield _folder(tmp_path / "nas" / "cache", warnings)
    else:
        yield _s3(request.getfixturevalue("s3_env"), warnings)


@pytest.fixture(params=[name for name in IMPLEMENTATIONS if name != "local"])
def shared_impl(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Impl]:
    """The shared tiers only: what the local store, one writer per machine, need not do."""
    warnings: list[str] = []
    if request.param == "folder":
        yield _folder(tmp_path / "nas" / "cache", warnings)
    else:
        yield _s3(request.getfixturevalue("s3_env"), warnings)


def image(n: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes([n % 256]) * (1000 + n)


def entry_of(data: bytes, take: int = 1, key: str = KEY, text: str = "") -> Entry:
    sha = hashlib.sha256(data).hexdigest()
    return Entry(key, take, (StoredOutput(sha, "image/png", 1, 1, len(data)),), text=text)


def object_name(data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    return f"objects/{sha[:2]}/{sha[2:]}"


def test_an_object_comes_back_as_stored_under_its_sha256(impl: Impl) -> None:
    tier, data = impl.open(), image(1)
    sha = tier.put_object(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert tier.read_object(sha) == data
    assert tier.has_object(sha, len(data))
    assert impl.open().read_object(sha) == data  # another machine sees it


def test_a_missing_object_or_entry_is_a_miss(impl: Impl) -> None:
    tier = impl.open()
    with pytest.raises(StoreError, match="object cdcdcdcdcdcd"):
        tier.read_object("cd" * 32)
    assert not tier.has_object("cd" * 32)
    assert tier.get_entry(KEY, 1) is None


def test_an_entry_comes_back_to_another_machine(impl: Impl) -> None:
    tier, data = impl.open(), image(2)
    tier.put_object(data)
    tier.put_entry(entry_of(data, text="hello"))
    assert impl.open().get_entry(KEY, 1) == entry_of(data, text="hello")
    assert impl.open().get_entry(KEY, 2) is None


def test_an_entry_whose_object_is_missing_is_a_miss(impl: Impl) -> None:
    tier = impl.open()
    tier.put_entry(entry_of(image(3)))
    assert impl.open().get_entry(KEY, 1) is None


def test_a_damaged_object_is_refused_and_a_put_repairs_it(impl: Impl) -> None:
    tier, data = impl.open(), image(4)
    sha = tier.put_object(data)
    impl.plant(object_name(data), bytes(len(data)))  # same size, other bytes
    reader = impl.open()
    with pytest.raises(StoreError, match="damaged"):
        reader.read_object(sha)
    reader.put_object(data)  # the writer that found it damaged may write it again
    assert impl.open().read_object(sha) == data


def test_a_truncated_object_is_a_miss(impl: Impl) -> None:
    tier, data = impl.open(), image(5)
    tier.put_object(data)
    tier.put_entry(entry_of(data))
    impl.plant(object_name(data), data[:100])
    reader = impl.open()
    assert not reader.has_object(hashlib.sha256(data).hexdigest(), len(data))
    assert reader.get_entry(KEY, 1) is None


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"key": 1}', b'{"key": "' + b"ef" * 32 + b'", "take": 1, "outputs": []}'],
)
def test_an_entry_of_the_wrong_shape_is_a_miss_and_is_replaced(impl: Impl, raw: bytes) -> None:
    data = image(6)
    impl.open().put_object(data)
    impl.plant(f"index/{KEY[:2]}/{KEY}-1.json", raw)
    reader = impl.open()
    assert reader.get_entry(KEY, 1) is None
    assert impl.warnings  # told, never raised
    reader.put_entry(entry_of(data))
    assert impl.open().get_entry(KEY, 1) == entry_of(data)


def test_a_killed_upload_leaves_nothing_that_is_read(impl: Impl) -> None:
    data = image(7)
    impl.leave_partial(object_name(data), data)
    tier = impl.open()
    sha = hashlib.sha256(data).hexdigest()
    assert not tier.has_object(sha)
    with pytest.raises(StoreError):
        tier.read_object(sha)
    tier.put_object(data)  # the next writer finishes the job
    assert impl.open().read_object(sha) == data


def test_concurrent_writers_never_leave_a_broken_object_or_entry(impl: Impl) -> None:
    writers, shared_data = 8, image(8)
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        tier = impl.open()  # one machine each
        start.wait()
        tier.put_object(shared_data)
        own = image(100 + n)
        tier.put_object(own)
        tier.put_entry(entry_of(own, take=n + 1))  # a take of its own
        tier.put_entry(entry_of(shared_data, take=99, text=f"writer {n}"))  # all the same take

    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    reader = impl.open()
    assert reader.read_object(hashlib.sha256(shared_data).hexdigest()) == shared_data
    for n in range(writers):
        assert reader.get_entry(KEY, n + 1) == entry_of(image(100 + n), take=n + 1)
    winner = reader.get_entry(KEY, 99)
    assert winner is not None
    assert winner.text in {f"writer {n}" for n in range(writers)}  # one whole entry


def test_a_shared_entry_is_never_replaced_by_another_machine(shared_impl: Impl) -> None:
    impl = shared_impl
    first, second = image(9), image(10)
    for data in (first, second):
        tier = impl.open()
        tier.put_object(data)
        tier.put_entry(entry_of(data))
    assert impl.open().get_entry(KEY, 1) == entry_of(first)


def test_a_read_only_shared_tier_reads_and_never_writes(shared_impl: Impl) -> None:
    impl = shared_impl
    data = image(11)
    writer = impl.open()
    writer.put_object(data)
    writer.put_entry(entry_of(data))
    reader = impl.open()
    assert isinstance(reader, SharedTier)
    reader.read_only = True
    assert reader.get_entry(KEY, 1) == entry_of(data)
    other = image(12)
    reader.put_object(other)
    reader.put_entry(entry_of(other, take=2))
    assert not impl.open().has_object(hashlib.sha256(other).hexdigest())
    assert impl.open().get_entry(KEY, 2) is None


READER_POLICY = """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}"""


@pytest.fixture
def read_only_s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Impl, str]]:
    """A moto server enforcing IAM, and the store of a user who may only read its bucket."""
    import httpx

    from storyforge.store.remote import RemoteBlobs
    from tests.s3_support import moto_server

    with moto_server() as server:
        bucket, warnings = server.new_bucket(), list[str]()
        iam = server.client("iam")
        iam.create_user(UserName="reader")
        iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=READER_POLICY)
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        writer = _s3_tier(server, bucket, monkeypatch, warnings)
        writer.put_object(image(20))
        writer.put_entry(entry_of(image(20)))
        httpx.post(f"{server.endpoint}/moto-api/reset-auth", content=b"0").raise_for_status()
        secret = key["SecretAccessKey"]
        env = server.env(key=key["AccessKeyId"], secret=secret)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        url = f"s3://{bucket}/team/cache"
        yield Impl("s3", lambda: SharedTier(RemoteBlobs(url), url), _none, _none, warnings), secret


def _none(_name: str, _data: bytes) -> None:
    return None


def _s3_tier(
    server: MotoServer, bucket: str, monkeypatch: pytest.MonkeyPatch, warnings: list[str]
) -> StoreTier:
    from storyforge.store.remote import RemoteBlobs

    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    url = f"s3://{bucket}/team/cache"
    return SharedTier(RemoteBlobs(url), url, warn=warnings.append)


def test_read_only_credentials_read_and_a_refused_write_is_one_line(
    read_only_s3: tuple[Impl, str],
) -> None:
    impl, secret = read_only_s3
    tier = impl.open()
    assert tier.get_entry(KEY, 1) == entry_of(image(20))
    assert tier.read_object(hashlib.sha256(image(20)).hexdigest()) == image(20)
    with pytest.raises(StoreError) as refused:
        tier.put_object(image(21))
    text = str(refused.value)
    assert "permission denied" in text and "read-only" in text
    assert "\n" not in text and secret not in text and "127.0.0.1" not in text


def test_a_read_only_folder_reads_and_a_refused_write_is_one_line() -> None:
    # Root writes into any folder, so the machine's permissions are tested as a user who
    # may only read: a forked child drops to `nobody` before it opens the tier.
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="storyforge-nas-"))
    try:
        impl = _folder(base / "nas", [])
        impl.open().put_object(image(22))
        for folder in (base, *(p for p in base.rglob("*") if p.is_dir())):
            folder.chmod(0o555)
        for file in (p for p in base.rglob("*") if p.is_file()):
            file.chmod(0o444)
        assert _as_reader(impl) == "read ok; write refused: permission denied"
    finally:
        for folder in (base, *(p for p in base.rglob("*") if p.is_dir())):
            folder.chmod(0o755)
        import shutil

        shutil.rmtree(base)


def _as_reader(impl: Impl) -> str:
    """What a user without write permission sees, in a child process when we are root."""
    import os

    def attempt() -> str:
        tier = impl.open()
        if tier.read_object(hashlib.sha256(image(22)).hexdigest()) != image(22):
            return "read failed"
        try:
            tier.put_object(image(23))
        except StoreError as error:
            refused = "permission denied" in str(error) and "\n" not in str(error)
            return "read ok; write refused: permission denied" if refused else str(error)
        return "write allowed"

    if os.geteuid() != 0:
        return attempt()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.close(reader)
        try:
            os.setgid(65534)
            os.setuid(65534)
            answer = attempt()
        except BaseException as error:
            answer = f"child failed: {error!r}"
        os.write(writer, answer.encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        answer = pipe.read().decode()
    os.waitpid(child, 0)
    return answer


def test_a_link_in_a_shared_folder_is_never_followed(tmp_path: Path) -> None:
    private = tmp_path / "private.png"
    private.write_bytes(image(30))
    impl = _folder(tmp_path / "nas", [])
    sha = hashlib.sha256(image(30)).hexdigest()
    link = tmp_path / "nas" / "objects" / sha[:2] / sha[2:]
    link.parent.mkdir(parents=True)
    link.symlink_to(private)
    (tmp_path / "nas" / "index").symlink_to(tmp_path, target_is_directory=True)
    tier = impl.open()
    assert not tier.has_object(sha)
    with pytest.raises(StoreError):
        tier.read_object(sha)
    assert tier.get_entry(KEY, 1) is None
