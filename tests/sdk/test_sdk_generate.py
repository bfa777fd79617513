"""The SDK's image calls against the fake server: text to image, edits, chats, streams, tokens."""

from __future__ import annotations

import asyncio
import hashlib

from google import genai
from google.genai import types

from storyforge.capabilities import model_info
from storyforge.fakeserver import FakeGemini
from storyforge.mime import image_dimensions
from tests.fakeserver_support import generate_records, tiny_png

FLASH_25, FLASH_31 = "gemini-2.5-flash-image", "gemini-3.1-flash-image"


def _images(response: types.GenerateContentResponse) -> list[types.Blob]:
    parts = response.parts or []
    return [p.inline_data for p in parts if p.inline_data is not None and not p.thought]


def test_text_to_image_with_aspect_ratio_and_size(sdk: genai.Client) -> None:
    config = types.GenerateContentConfig(
        response_modalities=["TEXT", "IMAGE"],
        image_config=types.ImageConfig(aspect_ratio="16:9", image_size="1K"),
    )
    response = sdk.models.generate_content(
        model=FLASH_31, contents="A lighthouse at dusk, ink and wash.", config=config
    )
    (blob,) = _images(response)
    assert blob.mime_type == "image/jpeg" and blob.data is not None
    assert image_dimensions(blob.data) == model_info(FLASH_31).pixels("16:9", "1K")
    assert response.candidates and response.candidates[0].finish_reason == types.FinishReason.STOP
    assert response.usage_metadata and response.usage_metadata.candidates_token_count


def test_an_edit_sends_the_image_bytes_exactly(sdk: genai.Client, server: FakeGemini) -> None:
    # The SDK sends bytes as URL-safe base64; these contain both of its special characters.
    source = next(p for n in range(4, 64) if _url_safe_special(p := tiny_png((n, 250, 9), n)))
    before = len(generate_records(server))
    response = sdk.models.generate_content(
        model=FLASH_25,
        contents=_turn(
            types.Part.from_bytes(data=source, mime_type="image/png"),
            types.Part.from_text(text="Make it night."),
        ),
        config=types.GenerateContentConfig(image_config=types.ImageConfig(aspect_ratio="1:1")),
    )
    assert _images(response)[0].mime_type == "image/png"
    record = generate_records(server)[before]
    assert record["images"] == [hashlib.sha256(source).hexdigest()]


def test_a_chat_sends_the_models_image_back(sdk: genai.Client, server: FakeGemini) -> None:
    chat = sdk.chats.create(model=FLASH_31, config=types.GenerateContentConfig(
        image_config=types.ImageConfig(aspect_ratio="1:1", image_size="512")))  # fmt: skip
    first = chat.send_message("A lighthouse on a cliff.")
    (drawn,) = _images(first)
    assert drawn.data is not None
    second = chat.send_message("Now the same at night.")
    assert _images(second)
    last = generate_records(server)[-1]
    # The history went back with the model turn and its thought signature, as Gemini 3 wants.
    assert hashlib.sha256(drawn.data).hexdigest() in last["images"]
    roles = [c.get("role") for c in last["body"]["contents"]]
    assert roles == ["user", "model", "user"]


def test_streaming_sync_and_async_end_with_stop(sdk: genai.Client) -> None:
    chunks = list(sdk.models.generate_content_stream(model=FLASH_25, contents="A gull."))

    async def collect() -> list[types.GenerateContentResponse]:
        try:
            stream = await sdk.aio.models.generate_content_stream(
                model=FLASH_25, contents="A gull."
            )
            return [chunk async for chunk in stream]
        finally:
            await sdk.aio.aclose()  # its connections belong to this event loop

    for stream in (chunks, asyncio.run(collect())):
        images = [blob for chunk in stream for blob in _images(chunk)]
        assert len(images) == 1 and images[0].mime_type == "image/png"
        last = stream[-1].candidates
        assert last and last[0].finish_reason == types.FinishReason.STOP


def test_count_tokens_matches_the_prompt_count_of_an_answer(sdk: genai.Client) -> None:
    contents = _turn(
        types.Part.from_text(text="Mara climbs the spiral stairs."),
        types.Part.from_bytes(data=tiny_png(), mime_type="image/png"),
    )
    counted = sdk.models.count_tokens(model=FLASH_25, contents=contents)
    answered = sdk.models.generate_content(model=FLASH_25, contents=contents)
    assert answered.usage_metadata is not None
    assert counted.total_tokens == answered.usage_metadata.prompt_token_count


def test_models_list_and_get(sdk: genai.Client) -> None:
    names = {model.name for model in sdk.models.list()}
    assert {f"models/{FLASH_25}", f"models/{FLASH_31}"} <= names
    model = sdk.models.get(model=FLASH_25)
    assert model.name == f"models/{FLASH_25}" and model.display_name == "Nano Banana"
    assert model.supported_actions and "countTokens" in model.supported_actions


def _turn(*parts: types.Part) -> types.Content:
    return types.Content(role="user", parts=list(parts))


def _url_safe_special(data: bytes) -> bool:
    import base64

    return {"-", "_"} <= set(base64.urlsafe_b64encode(data).decode())
