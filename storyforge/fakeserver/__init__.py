"""A fake Gemini image service over real loopback HTTP, with the real wire format and faults.

::

    with FakeGemini(faults=Faults(latency_s=0.1)) as server:
        server.enqueue("503", "429")      # the next two generate requests fail, then succeed
        server.replay(recorded_body)      # the one after gets a recorded answer, as it is
        ...                               # call server.base_url with x-goog-api-key: fake-key
        server.requests                   # the log, one dict per request

    with FakeGemini(batch=BatchSettings(run_s=2, row_error_every=10), quota_rpm=120) as server:
        ...                               # batch jobs take 2 s, every 10th row fails;
                                          # generate beyond 120 a minute gets 429 + RetryInfo

Routes answer under /v1 and /v1beta alike. Each log record holds t, t_done, method, path,
model, route (generateContent, streamGenerateContent, countTokens, listModels, getModel,
upload, listFiles, getFile, deleteFile, batchGenerateContent, getBatch, listBatches,
cancelBatch, deleteBatch, download, unknown, tooLarge, error), status (None when
dropped), fault ("replay" for a recorded answer, "quota" for the bucket's 429), stream,
headers, body, images and text.
"""

from storyforge.fakeserver.batches import BATCH_FAULTS, BatchSettings
from storyforge.fakeserver.faults import FAULT_NAMES, Faults
from storyforge.fakeserver.server import FakeGemini

__all__ = ["BATCH_FAULTS", "FAULT_NAMES", "BatchSettings", "FakeGemini", "Faults"]
