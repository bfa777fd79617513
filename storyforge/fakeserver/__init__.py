"""A fake Gemini image service over real loopback HTTP, with the real wire format and faults.

::

    with FakeGemini(faults=Faults(latency_s=0.1)) as server:
        server.enqueue("503", "429")      # the next two generate requests fail, then succeed
        ...                               # call server.base_url with x-goog-api-key: fake-key
        server.requests                   # the log, one dict per request

Each log record holds t, t_done, method, path, model, route (generateContent,
streamGenerateContent, listModels, getModel, upload, listFiles, getFile, deleteFile,
unknown, tooLarge), status (None when dropped), fault, stream, headers, body, images and text.
"""

from storyforge.fakeserver.faults import FAULT_NAMES, Faults
from storyforge.fakeserver.server import FakeGemini

__all__ = ["FAULT_NAMES", "FakeGemini", "Faults"]
