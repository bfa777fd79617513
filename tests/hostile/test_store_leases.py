"""A lease is held by one build at a time and freed when its holder dies, however it dies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storyforge.store.leases import Lease

KEY = "cd" * 32
HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from storyforge.store.leases import Lease\n"
    "lease = Lease(Path(sys.argv[1]), sys.argv[2], 1)\n"
    "assert lease.try_acquire()\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def test_a_lease_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = Lease(tmp_path / ".storyforge", KEY, 1), Lease(tmp_path / ".storyforge", KEY, 1)
    assert first.try_acquire()
    assert not second.try_acquire()
    assert Lease(tmp_path / ".storyforge", KEY, 2).try_acquire()  # another take: its own lease
    first.release()
    assert second.try_acquire()
    second.release()


def test_the_lease_of_a_killed_build_is_not_stale(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / ".storyforge"), KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    lease = Lease(tmp_path / ".storyforge", KEY, 1)
    assert not lease.try_acquire()
    holder.kill()
    holder.communicate(timeout=60)
    assert lease.try_acquire()
    lease.release()


def test_a_link_planted_as_a_lease_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_bytes(b"private")
    folder = tmp_path / ".storyforge" / "leases" / KEY[:2]
    folder.mkdir(parents=True)
    (folder / f"{KEY}-1").symlink_to(outside)
    lease = Lease(tmp_path / ".storyforge", KEY, 1)
    assert lease.try_acquire()  # goes ahead without a lease rather than failing the call
    lease.release()
    assert outside.read_bytes() == b"private"
