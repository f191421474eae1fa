"""The synthetic answer: a deterministic function of the request, in every process."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.models import resolve_model
from mockserver.model.synthesis import (
    SENTENCES,
    SNIPPET_CHARS,
    answer_text,
    message_item,
    synthesize,
)
from mockserver.model.tokens import count_text_tokens

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
MODEL = resolve_model("gpt-4o-mini")


def user(text: str) -> dict[str, object]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def ids(prefix: str) -> str:
    return f"{prefix}_fixed"


@given(texts, st.none() | texts)
def test_same_request_same_text(text: str, instructions: str | None) -> None:
    context = [user(text)]
    first = answer_text("gpt-4o-mini", instructions, context)
    assert first == answer_text("gpt-4o-mini", instructions, [user(text)])
    snippet = " ".join(text.split())[:SNIPPET_CHARS]
    opening = f'Mock reply to "{snippet}".' if snippet else "Mock reply."
    assert first.startswith(opening + " ")
    filler = first[len(opening) + 1 :]
    used = [s for s in SENTENCES if s in filler]
    assert 2 <= len(used) <= 4
    assert len(filler) == sum(map(len, used)) + len(used) - 1


def test_answers_depend_on_model_instructions_and_history() -> None:
    base = answer_text("gpt-4o-mini", None, [user("hi")])
    variants = {
        answer_text("gpt-4o", None, [user("hi")]),
        answer_text("gpt-4o-mini", "Be brief.", [user("hi")]),
        answer_text("gpt-4o-mini", None, [user("earlier"), user("hi")]),
        base,
    }
    # The filler is drawn from a hash of all of it; at least some of these must differ.
    assert len(variants) > 1


def test_tool_result_and_empty_context_openings() -> None:
    output = {"type": "function_call_output", "call_id": "c", "output": "  72 F\nand  sunny "}
    assert answer_text("m", None, [user("weather?"), output]).startswith(
        'Mock reply using the tool result "72 F and sunny".'
    )
    assert answer_text("m", None, []).startswith("Mock reply. ")
    assert answer_text("m", None, ["a bare string"]).startswith('Mock reply to "a bare string".')


def test_synthesize_makes_one_completed_message() -> None:
    answer = synthesize({}, MODEL, [user("hi")], ids)
    [item] = answer.items
    text = item["content"][0]["text"]
    assert item == message_item("msg_fixed", text)
    assert answer.output_tokens == count_text_tokens(text)
    assert answer.incomplete_reason is None


def test_max_output_tokens_cuts_the_answer() -> None:
    full = synthesize({}, MODEL, [user("hi")], ids)
    limit = 16
    assert full.output_tokens > limit
    cut = synthesize({"max_output_tokens": limit}, MODEL, [user("hi")], ids)
    [item] = cut.items
    assert item["status"] == "incomplete"
    assert cut.incomplete_reason == "max_output_tokens"
    assert cut.output_tokens <= limit
    assert full.items[0]["content"][0]["text"].startswith(item["content"][0]["text"])
    roomy = synthesize({"max_output_tokens": 10_000}, MODEL, [user("hi")], ids)
    assert roomy.items == full.items


def test_same_text_in_another_process() -> None:
    context = [user("Tell me about determinism, please."), user("And again?")]
    code = (
        "import json, sys\n"
        "from mockserver.model.synthesis import answer_text\n"
        "args = json.loads(sys.stdin.read())\n"
        "print(answer_text(*args))\n"
    )
    args = ["gpt-4o-mini", "Be brief.", context]
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(args),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert result.stdout.rstrip("\n") == answer_text(*args)
