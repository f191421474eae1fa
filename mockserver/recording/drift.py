"""``mockserver validate``: check recordings against ``schemas/`` and say what drifted.

Every recorded JSON body and stream event is validated twice with
:class:`~mockserver.contract.conformance.Conformance`: as generated (problems the SDK's types would
reject: missing required fields, wrong types, unknown enum values) and strict (objects closed, so
keys the SDK does not model show up). Strict-only findings are the API growing (unknown fields),
as are event types the SDK's stream union does not know; the rest mean our schemas (the installed
SDK) or the API changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockserver.contract.conformance import Conformance
from mockserver.contract.route_schemas import schema_for
from mockserver.recording.cassette import Cassette, Interaction

# Finding kinds, in report order, with what each means.
KINDS = {
    "unknown_event_type": "stream event types the SDK does not know (the API grew)",
    "unknown_field": "fields the SDK does not model (the API grew)",
    "unknown_value": "values outside the SDK's enums or constants (the API grew or changed)",
    "missing_required": "required fields that are absent (the API or our schemas changed)",
    "wrong_type": "fields of the wrong JSON type (the API or our schemas changed)",
    "not_json": "bodies or events that are not JSON",
    "other": "other schema violations",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str  # "body" or "event 12 (response.output_text.delta)"
    detail: str

    def describe(self) -> str:
        return f"{self.where}: {self.detail}"


@dataclass
class RecordingReport:
    cassette: str
    index: int
    request: str
    status: int
    source: str
    findings: list[Finding] = field(default_factory=list)
    unchecked: str | None = None  # why nothing was checked (no schema for the route)

    @property
    def label(self) -> str:
        return f"{self.cassette}#{self.index}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "recording": self.label,
            "request": self.request,
            "status": self.status,
            "source": self.source,
            "unchecked": self.unchecked,
            "findings": [
                {"kind": f.kind, "where": f.where, "detail": f.detail} for f in self.findings
            ],
        }


def _kind(message: str) -> str:
    if "unknown stream event type" in message:
        return "unknown_event_type"
    if "not modelled by the SDK" in message:
        return "unknown_field"
    if "is a required property" in message:
        return "missing_required"
    if "is not of type" in message:
        return "wrong_type"
    if "is not one of" in message or "was expected" in message:
        return "unknown_value"
    return "other"


class DriftChecker:
    def __init__(self, conformance: Conformance | None = None) -> None:
        self.conformance = conformance or Conformance()

    def _classify(self, loose: list[str], strict: list[str], where: str) -> list[Finding]:
        findings = [Finding(_kind(message), where, message) for message in loose]
        seen = set(loose)
        for message in strict:
            if message not in seen:
                kind = _kind(message)
                findings.append(
                    Finding(kind if kind != "other" else "unknown_field", where, message)
                )
        return findings

    def body(self, schema: str, value: Any) -> list[Finding]:
        loose = self.conformance.errors(schema, value, strict=False)
        strict = self.conformance.errors(schema, value, strict=True)
        return self._classify(loose, strict, "body")

    def event(self, index: int, value: Any) -> list[Finding]:
        name = value.get("type") if isinstance(value, dict) else None
        where = f"event {index} ({name})" if name else f"event {index}"
        loose = self.conformance.event_errors(value, strict=False)
        strict = self.conformance.event_errors(value, strict=True)
        return self._classify(loose, strict, where)

    def interaction(self, cassette: str, index: int, interaction: Interaction) -> RecordingReport:
        request, response = interaction.request, interaction.response
        report = RecordingReport(
            cassette, index, request.describe(), response.status, interaction.source
        )
        if response.events is not None:
            for number, event in enumerate(response.events):
                data = event.data()
                if data is None:
                    report.findings.append(
                        Finding("not_json", f"event {number}", f"frame {event.raw[:80]!r}")
                    )
                else:
                    report.findings += self.event(number, data)
            return report
        if not response.body:
            report.unchecked = "empty body"
            return report
        try:
            body = orjson.loads(response.body)
        except orjson.JSONDecodeError:
            report.findings.append(Finding("not_json", "body", "the body is not JSON"))
            return report
        if response.status >= 400:
            report.findings += self.body("ErrorBody", body)
            return report
        known, schema = schema_for(request.method, request.path)
        if not known or schema is None:
            report.unchecked = f"no schema for {request.method} {request.path}"
            return report
        report.findings += self.body(schema, body)
        return report

    def cassettes(self, cassettes: Iterable[Cassette]) -> list[RecordingReport]:
        return [
            self.interaction(cassette.name, index, interaction)
            for cassette in cassettes
            for index, interaction in enumerate(cassette.interactions)
        ]


def render(reports: list[RecordingReport], *, verbose: bool = False, limit: int = 10) -> str:
    """A human report: per recording with findings, grouped by kind; then a summary."""
    lines: list[str] = []
    totals: Counter[str] = Counter()
    for report in reports:
        if not report.findings:
            if verbose:
                note = f" (not checked: {report.unchecked})" if report.unchecked else ""
                lines.append(f"ok   {report.label}  {report.request} -> {report.status}{note}")
            continue
        lines.append(
            f"DRIFT {report.label}  {report.request} -> {report.status}  [source: {report.source}]"
        )
        by_kind: dict[str, list[Finding]] = {}
        for finding in report.findings:
            by_kind.setdefault(finding.kind, []).append(finding)
            totals[finding.kind] += 1
        for kind in KINDS:
            found = by_kind.get(kind, [])
            if not found:
                continue
            lines.append(f"  {kind} ({len(found)}): {KINDS[kind]}")
            lines += [f"    - {finding.describe()}" for finding in found[:limit]]
            if len(found) > limit:
                lines.append(f"    ... and {len(found) - limit} more")
    drifted = sum(1 for report in reports if report.findings)
    summary = f"{len(reports)} recording(s) checked, {drifted} with findings"
    if totals:
        summary += ": " + ", ".join(f"{totals[kind]} {kind}" for kind in KINDS if totals[kind])
    lines.append(summary)
    return "\n".join(lines)
