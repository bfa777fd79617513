"""The SDK's Files API against the fake server: upload, use, get, list, delete."""

from __future__ import annotations

import hashlib
import io

import pytest
from google import genai
from google.genai import errors, types

from storyforge.fakeserver import FakeGemini
from tests.fakeserver_support import generate_records, tiny_png


def test_upload_then_use_get_list_and_delete(sdk: genai.Client, server: FakeGemini) -> None:
    data = tiny_png((12, 34, 56), size=24)
    uploaded = sdk.files.upload(
        file=io.BytesIO(data),
        config=types.UploadFileConfig(mime_type="image/png", display_name="mara"),
    )
    assert uploaded.name and uploaded.uri and uploaded.state == types.FileState.ACTIVE
    assert uploaded.size_bytes == len(data)
    response = sdk.models.generate_content(
        model="gemini-2.5-flash-image",
        contents=types.Content(
            role="user",
            parts=[
                types.Part.from_uri(file_uri=uploaded.uri, mime_type="image/png"),
                types.Part.from_text(text="Ink it."),
            ],
        ),
    )
    assert response.parts and any(p.inline_data for p in response.parts)
    assert generate_records(server)[-1]["images"] == [hashlib.sha256(data).hexdigest()]
    assert sdk.files.get(name=uploaded.name).display_name == "mara"
    assert uploaded.name in {f.name for f in sdk.files.list()}
    sdk.files.delete(name=uploaded.name)
    with pytest.raises(errors.ClientError) as caught:
        sdk.files.get(name=uploaded.name)
    assert (caught.value.code, caught.value.status) == (403, "PERMISSION_DENIED")
