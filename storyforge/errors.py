"""The one tree of storyforge exceptions; only the CLI prints them and picks exit codes.

::

    StoryforgeError                 base; str() is the one line shown to the user
    ├── StoryError                  the story is invalid: carries every Diagnostic (exit 2)
    ├── UsageError                  a bad command line or environment, e.g. a missing key (exit 2)
    ├── StoreError                  the store or lock file cannot be read or written (exit 1)
    └── ProviderError               a provider call failed after its retries (status, message)
        └── FatalProviderError      no further call can succeed: bad key, no billing (stop all)
"""

from __future__ import annotations

from collections.abc import Sequence

from storyforge.diagnostics import Diagnostic


class StoryforgeError(Exception):
    """Base of every error storyforge raises on purpose."""


class StoryError(StoryforgeError):
    """The story (or a template or reference it names) is invalid."""

    def __init__(self, diagnostics: Sequence[Diagnostic], *, partial: object = None) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        # The story as loaded when only its cross-references are wrong: later checks that
        # do not depend on them (reference files) can still run and be reported together.
        self.partial = partial
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class UsageError(StoryforgeError):
    """The command line or the environment is wrong; the message names the fix."""


class StoreError(StoryforgeError):
    """The store, lock or output folder could not be used."""


class ProviderError(StoryforgeError):
    """A provider answered with an error (after retries); the key is never in the message."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        self.status = status
        self.retryable = retryable
        super().__init__(message)


class FatalProviderError(ProviderError):
    """No later call can succeed either (bad key, billing off, limit 0): stop starting calls."""
