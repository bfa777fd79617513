"""Receipts of batch jobs in `.storyforge/batches/`: written before each step, so a build resumes.

One JSON file per submission, named by its display name:

    batches/<display name>.json          model, rows (row key -> step id), job name, state
    batches/<display name>.results.jsonl the downloaded result file, until every row is kept

The receipt exists before the upload, names the job the moment the create answers, and
says `downloaded` once the results are safely on disk; the next build attaches rows it
needs to the job that already holds them, so a job is never created twice for them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from storyforge.store import nofollow

FOLDER = "batches"
_NAME = re.compile(r"storyforge-[0-9a-f]{8}-[0-9a-f]{12}")
_STATES = frozenset({"submitting", "created", "downloaded"})
_LIMIT = 64 << 20


@dataclass(frozen=True, slots=True)
class Receipt:
    """What was submitted as one job: enough to find it again and match its rows."""

    display_name: str
    model: str
    rows: dict[str, str]  # row key -> step id, for messages
    state: str = "submitting"
    name: str = ""  # batches/…, once the create has answered
    input_file: str = ""
    submitted: str = ""  # ISO time of the submission
    extra: dict[str, str] = field(default_factory=dict)


class Receipts:
    """The receipts of one store; a damaged or foreign file is told once and ignored."""

    def __init__(self, store_root: Path, warn: Callable[[str], None]) -> None:
        self.root = store_root
        self.folder = store_root / FOLDER
        self.warn = warn

    def save(self, receipt: Receipt) -> Receipt:
        """Write the receipt durably (atomic replace); returns it for chaining."""
        data = json.dumps(asdict(receipt), indent=1, sort_keys=True).encode()
        nofollow.write_bytes(self.root, (FOLDER, f"{receipt.display_name}.json"), data)
        return receipt

    def update(self, receipt: Receipt, **changes: str) -> Receipt:
        """Save the receipt with `changes` applied."""
        return self.save(replace(receipt, **changes))  # type: ignore[arg-type]

    def results_path(self, receipt: Receipt) -> Path:
        """Where the job's downloaded results are kept."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{receipt.display_name}.results.jsonl"

    def drop(self, receipt: Receipt) -> None:
        """Forget a receipt and its results (all rows kept, or the job ended without any)."""
        for path in (self.results_path(receipt), self.folder / f"{receipt.display_name}.json"):
            path.unlink(missing_ok=True)

    def all(self) -> Iterator[Receipt]:
        """Every readable receipt, oldest submission first."""
        if not self.folder.is_dir():
            return iter(())
        found = [r for p in sorted(self.folder.glob("storyforge-*.json")) if (r := self._read(p))]
        return iter(sorted(found, key=lambda r: r.submitted))

    def _read(self, path: Path) -> Receipt | None:
        if not _NAME.fullmatch(path.stem):
            return None
        try:
            data = json.loads(nofollow.read_bytes(self.root, (FOLDER, path.name), limit=_LIMIT))
            receipt = Receipt(**data)
            if receipt.state not in _STATES or receipt.display_name != path.stem:
                raise ValueError(f"state {receipt.state!r}")
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in receipt.rows.items()):
                raise ValueError("rows are not strings")
        except (OSError, ValueError, TypeError, AttributeError) as error:
            self.warn(f"storyforge: ignoring batch receipt {path.name}: {error}")
            return None
        return receipt
