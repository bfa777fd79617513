"""How much a story's templates may make and take: the bounds every render runs under.

Each is far beyond what a real storyboard needs, and each stops a stranger's template
from holding `validate` for ever or filling memory. The sandbox reads these at render time
(as `limits.NAME`), so a test can lower one.
"""

from __future__ import annotations

MAX_PROMPT_CHARS = 100_000  # any string, list or prompt a template makes
MAX_INT_BITS = 100_000  # any number a template makes (Python prints at most 4,300 digits)
MAX_TEMPLATE_BYTES = 1_000_000  # one template file
RENDER_SECONDS = 2.0  # one render of one template
TOTAL_RENDER_SECONDS = 30.0  # every render of one compile together
