"""Stub files: YAML and JSON, single files and directories, and load-time errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.contract.errors import ConfigurationError
from mockserver.scenarios.stubs.api import Stubs
from mockserver.scenarios.stubs.loader import load_stubs, stubs_from_document
from mockserver.scenarios.stubs.registry import StubRegistry

YAML_STUBS = """\
- name: weather-call
  match:
    input: weather
    call: 1
  answer:
    output:
      - type: function_call
        name: get_weather
        arguments: {city: Paris}
- name: weather-answer
  match: {input_types: [function_call_output]}
  answer: It is sunny in Paris.
"""


def test_a_directory_of_yaml_and_json_files_loads_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(YAML_STUBS)
    (tmp_path / "a.json").write_text(json.dumps({"stubs": [{"answer": {"refusal": "No."}}]}))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yml").write_text("answer: {fault: rate_limit}\n")
    (tmp_path / "notes.txt").write_text("ignored")
    stubs = load_stubs([tmp_path])
    assert [s.name for s in stubs] == [
        f"{tmp_path / 'a.json'}#1",
        "weather-call",
        "weather-answer",
        f"{tmp_path / 'sub' / 'c.yml'}#1",
    ]
    assert stubs[1].answer.output is not None
    assert stubs[1].answer.output[0]["arguments"] == {"city": "Paris"}
    assert stubs[2].answer.text == "It is sunny in Paris."
    assert load_stubs([tmp_path / "b.yaml"])[0].source == str(tmp_path / "b.yaml")


def test_an_empty_file_has_no_stubs(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    assert load_stubs([tmp_path]) == []


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.yaml", "- answer: [unclosed", "bad.yaml: not valid YAML"),
        ("bad.json", "{", "bad.json: not valid JSON"),
        (
            "rule.yaml",
            "- answer: ok\n- match: {call: 0}\n  answer: ok\n",
            "rule.yaml: stub #2: match.call",
        ),
        ("top.yaml", "stubs: []\nextra: 1\n", "top.yaml: unknown top-level key(s) ['extra']"),
        ("scalar.yaml", "42\n", "scalar.yaml: expected a list of stubs"),
    ],
)
def test_bad_files_are_reported_at_load_time(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(ConfigurationError) as caught:
        load_stubs([tmp_path])
    assert str(caught.value).startswith(str(tmp_path)), caught.value
    assert expected in str(caught.value)


def test_a_missing_path_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist; pass a stub file or a directory"):
        load_stubs([tmp_path / "nope"])


def test_a_document_may_be_one_stub() -> None:
    assert [s.answer.text for s in stubs_from_document({"answer": "hi"}, "inline")] == ["hi"]


def test_the_python_api_adds_loads_and_removes(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(YAML_STUBS)
    stubs = Stubs(StubRegistry())
    first = stubs.add(input="weather", text="Sunny")
    second = stubs.add({"answer": "mapping form"}, priority=3)
    loaded = stubs.load(tmp_path)
    assert [e.stub.name for e in stubs.entries()] == [
        "python#1",
        "python#2",
        "weather-call",
        "weather-answer",
    ]
    assert second.stub.priority == 3 and len(loaded) == 2
    assert stubs.remove(first) and stubs.remove(second.id) and not stubs.remove("stub_99")
    stubs.set_state("s", "x")
    assert stubs.states() == {"s": "x"}
    stubs.clear()
    assert stubs.entries() == [] and stubs.states() == {} and stubs.misses == []
    with pytest.raises(ConfigurationError, match="python: stub #3: answer: empty"):
        stubs.add(input="x")
