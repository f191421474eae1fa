"""The model catalogue: which names the API accepts and how each family behaves, from evidence.

Accepted names are the ones the installed SDK lists (read from the generated
``ResponseCreateParams`` schema, so it follows the SDK), fine-tuned names (``ft:...``) and the
names in ``FAMILIES`` that real traffic used. Any other name gets the real ``model_not_found``
400 (recorded: opentelemetry-python-contrib ``test_responses_create_api_error``).

Each family says what real traffic shows (``shared/wire``, ``shared/wire-2026``; each row names
recordings): whether the model reasons, its default and allowed ``reasoning.effort`` values, at
which efforts ``temperature``/``top_p`` are allowed, whether its assistant messages carry
``phase``, what ``reasoning.context`` and ``reasoning.mode`` echo, and the dated snapshot that
``model`` echoes. A name that no family matches gets ``DEFAULT_FAMILY`` for its kind (below).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from mockserver.contract.errors import InvalidRequestError, join_choices

# The API date this catalogue (and the shapes the server emits) follow: the newest recordings.
EMULATED_API_DATE = "2026-08"

ALL_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")


@dataclass(frozen=True)
class Family:
    """How the models whose name matches ``pattern`` behave on the real API."""

    pattern: str  # a regular expression over the alias (the name without a `-YYYY-MM-DD` date)
    snapshot: str | None  # what `model` echoes for the alias; None: the name itself
    reasoning: bool
    default_effort: str | None = None
    efforts: tuple[str, ...] = ()
    # Efforts at which `temperature`/`top_p` are accepted; ("*",): always (non-reasoning models).
    sampling_efforts: tuple[str, ...] = ()
    phase: bool = False  # assistant messages carry `phase` ("commentary" / "final_answer")
    context: str | None = None  # `reasoning.context` echoed when the request leaves it out
    mode: bool = False  # `reasoning.mode` is echoed ("standard" unless the request sets it)
    evidence: str = ""


NON_REASONING = Family(
    r".*",
    None,
    reasoning=False,
    sampling_efforts=("*",),
    evidence="gpt-4o/gpt-4.1 everywhere: reasoning {context: null, effort: null, summary: null}",
)
# A reasoning name no row knows (`gpt-5.x`, `o*`, `codex`): the newest gpt-5 behaviour.
DEFAULT_REASONING = Family(
    r".*",
    None,
    reasoning=True,
    default_effort="medium",
    efforts=("none", "low", "medium", "high", "xhigh"),
    sampling_efforts=("none",),
    phase=True,
    context="current_turn",
    mode=True,
    evidence="the newest gpt-5.x rows below",
)

_LOW_TO_HIGH = ("low", "medium", "high")
_GPT5 = ("minimal", "low", "medium", "high")
_GPT51 = ("none", "low", "medium", "high")
_GPT52 = ("none", "low", "medium", "high", "xhigh")
_GPT56 = ("none", "low", "medium", "high", "xhigh", "max")

FAMILIES: tuple[tuple[str, Family], ...] = (
    ("gpt-4o-mini", Family(r"gpt-4o-mini", "gpt-4o-mini-2024-07-18", False,
                           sampling_efforts=("*",), evidence="openai-dotnet, chatlas, rig")),
    ("gpt-4o", Family(r"gpt-4o", "gpt-4o-2024-08-06", False, sampling_efforts=("*",),
                      evidence="mirascope, rig, ellmer")),
    ("gpt-4.1", Family(r"gpt-4\.1(-mini|-nano)?", None, False, sampling_efforts=("*",),
                       evidence="ellmer, chatlas, rig: `gpt-4.1*-2025-04-14`")),
    ("o-series", Family(r"o[134](-mini|-pro)?", None, True, "medium", _LOW_TO_HIGH,
                        evidence="openai-dotnet o3-mini; mirascope o4-mini: 'minimal' is a 400 "
                        "(encodes-thoughts-as-text-for-model-consumption.har)")),
    ("gpt-5", Family(r"gpt-5(-mini|-nano|-pro|-codex)?", None, True, "medium", _GPT5,
                     context="current_turn", mode=True,
                     evidence="mirascope, openai-dotnet, rig gpt-5-nano (2026: context, mode)")),
    ("gpt-5.1", Family(r"gpt-5\.1(-mini|-codex|-codex-max)?", None, True, "none", _GPT51,
                       sampling_efforts=("none",), context="current_turn", mode=True,
                       evidence="openai-dotnet: default effort 'none', no reasoning item")),
    ("gpt-5.2", Family(r"gpt-5\.2(-pro)?", None, True, "none", _GPT52,
                       sampling_efforts=("none",), context="current_turn", mode=True,
                       evidence="rig reasoning_roundtrip, streaming_grammar")),
    ("gpt-5.3-codex", Family(r"gpt-5\.3-codex", "gpt-5.3-codex", True, "medium", _GPT52,
                             phase=True, context="current_turn", mode=True,
                             evidence="braintrust openai-codex-* cassettes")),
    ("gpt-5.4", Family(r"gpt-5\.4(-mini|-nano)?", None, True, "none", _GPT52,
                       sampling_efforts=("none",), phase=True, context="current_turn", mode=True,
                       evidence="chatlas, ellmer (temperature at effort none: 200), braintrust")),
    ("gpt-5.5", Family(r"gpt-5\.5(-pro)?", None, True, "medium", _GPT56,
                       sampling_efforts=("none",), phase=True, context="current_turn", mode=True,
                       evidence="openai-dotnet ResponsesWithPromptCache")),
    ("gpt-5.6", Family(r"gpt-5\.6(-sol|-luna|-terra|-cyber)?", None, True, "medium", _GPT56,
                       sampling_efforts=("none",), phase=True, context="all_turns", mode=True,
                       evidence="rig gpt_5_6_reasoning, ellmer gpt-5.6-terra, braintrust luna; "
                       "`gpt-5.6` echoes `gpt-5.6-sol`")),
)  # fmt: skip

# Alias -> the dated snapshot the real API reports in `model` (seen in recorded traffic).
SNAPSHOTS: dict[str, str] = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-5": "gpt-5-2025-08-07",
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "gpt-5-nano": "gpt-5-nano-2025-08-07",
    "gpt-5.1": "gpt-5.1-2025-11-13",
    "gpt-5.2": "gpt-5.2-2025-12-11",
    "gpt-5.3-codex": "gpt-5.3-codex",
    "gpt-5.4": "gpt-5.4-2026-03-05",
    "gpt-5.4-mini": "gpt-5.4-mini-2026-03-17",
    "gpt-5.4-nano": "gpt-5.4-nano-2026-03-17",
    "gpt-5.5": "gpt-5.5-2026-04-23",
    # Not in the SDK's list; the real API accepts it (openai-dotnet ResponsesWithReasoning).
    "gpt-5.6": "gpt-5.6-sol",
    "o3": "o3-2025-04-16",
    "o3-mini": "o3-mini-2025-01-31",
    "o4-mini": "o4-mini-2025-04-16",
}
# The model a request gets when it names none (only possible with a stored `prompt`, whose model
# the mock cannot know: openai-dotnet MultipleResponseInstructions was answered by gpt-5.2).
PROMPT_DEFAULT_MODEL = "gpt-5.2"

_REASONING = re.compile(r"^(o\d|gpt-5|codex)")
_DATED = re.compile(r"^(?P<alias>.+)-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Model:
    requested: str
    snapshot: str
    reasoning: bool
    family: Family = NON_REASONING

    @property
    def default_effort(self) -> str | None:
        return self.family.default_effort

    def effort(self, requested: str | None) -> str | None:
        """The effort a request runs at (its own, or the family's default)."""
        return requested or self.family.default_effort

    def reasons_at(self, requested: str | None) -> bool:
        return self.reasoning and self.effort(requested) not in (None, "none")

    def allows_sampling(self, requested_effort: str | None) -> bool:
        allowed = self.family.sampling_efforts
        return "*" in allowed or self.effort(requested_effort) in allowed


@functools.cache
def sdk_model_names() -> frozenset[str]:
    from mockserver.contract.schemas import load_schema

    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("enum"), list):
                names.update(v for v in node["enum"] if isinstance(v, str))
            if isinstance(node.get("const"), str):
                names.add(node["const"])
            for key in ("anyOf", "oneOf", "allOf"):
                for sub in node.get(key, []):
                    walk(sub)
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                walk(schema["$defs"][ref.removeprefix("#/$defs/")])

    schema = load_schema("ResponseCreateParams")
    walk(schema["properties"]["model"])
    return frozenset(names)


def family_of(alias: str) -> Family:
    for _, family in FAMILIES:
        if re.fullmatch(family.pattern, alias):
            return family
    return DEFAULT_REASONING if _REASONING.match(alias) else NON_REASONING


def _catalogued(name: str) -> bool:
    return any(re.fullmatch(family.pattern, name) for _, family in FAMILIES)


@functools.cache
def resolve_model(name: str) -> Model:
    known = (
        name in SNAPSHOTS
        or name in sdk_model_names()
        or name.startswith("ft:")
        or _catalogued(name)
    )
    if not known:
        raise InvalidRequestError(
            f"The requested model '{name}' does not exist.", param="model", code="model_not_found"
        )
    dated = _DATED.match(name)
    base = dated.group("alias") if dated else name
    if base.startswith("ft:"):
        base = base.split(":")[1]
    family = family_of(base)
    snapshot = SNAPSHOTS.get(name) or (family.snapshot if not dated else None) or name
    return Model(requested=name, snapshot=snapshot, reasoning=family.reasoning, family=family)


def check_effort(model: Model, effort: str | None) -> None:
    """A schema-valid effort the model does not support: the real 400 (recorded, mirascope
    ``encodes-thoughts-as-text-for-model-consumption.har``: o4-mini and ``minimal``)."""
    if effort is None or not model.reasoning or not model.family.efforts:
        return
    if effort not in model.family.efforts:
        raise InvalidRequestError(
            f"Unsupported value: '{effort}' is not supported with the '{model.requested}' model. "
            f"Supported values are: {join_choices(list(model.family.efforts))}.",
            param="reasoning.effort",
            code="unsupported_value",
        )
