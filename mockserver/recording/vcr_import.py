"""VCR cassettes (vcrpy / pytest-recording YAML) -> recordings.

Reads what vcrpy writes: request ``body`` as text, bytes (``!!binary``) or absent; response
``body: {string: ...}``; bodies compressed per ``Content-Encoding`` (gzip, deflate; br when the
``brotli`` package is installed); and the ``parsed_body`` that JSON-body serializers (such as
pydantic-ai's) write instead of ``body``. Streams are cut into their SSE frames; their timing is
unknown (``at_ms: null``). Everything passes the same redaction as recording. Imported
interactions are labelled ``source: "imported"``: we cannot know how they were made.
"""

from __future__ import annotations

import email.utils
import gzip
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import yaml

from mockserver.contract.errors import ConfigurationError
from mockserver.recording import persist
from mockserver.recording.cassette import (
    Cassette,
    Interaction,
    RecordedEvent,
    RecordedRequest,
    RecordedResponse,
    split_frames,
    utc_iso,
)
from mockserver.recording.redaction import Redaction

YAML_SUFFIXES = (".yaml", ".yml")

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    _Loader = yaml.SafeLoader


def _header_pairs(raw: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if not isinstance(raw, dict):
        return pairs
    for name, values in raw.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return pairs


def _header(pairs: list[tuple[str, str]], name: str) -> str | None:
    for key, value in pairs:
        if key.lower() == name:
            return value
    return None


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return orjson.dumps(body)


def _decompress(raw: bytes, encoding: str | None, where: str) -> bytes:
    for coding in reversed([c.strip().lower() for c in (encoding or "").split(",") if c.strip()]):
        if coding in ("identity", ""):
            continue
        if coding in ("gzip", "x-gzip"):
            raw = gzip.decompress(raw)
        elif coding == "deflate":
            try:
                raw = zlib.decompress(raw)
            except zlib.error:
                raw = zlib.decompress(raw, -zlib.MAX_WBITS)
        elif coding == "br":
            try:
                import brotli  # type: ignore[import-not-found]
            except ImportError:
                raise ConfigurationError(
                    f"{where}: the body is brotli-compressed; `pip install brotli` to import it"
                ) from None
            raw = brotli.decompress(raw)
        else:
            raise ConfigurationError(f"{where}: unknown Content-Encoding {coding!r}")
    return raw


def _request(data: Any, where: str, redaction: Redaction) -> RecordedRequest:
    if not isinstance(data, dict) or "uri" not in data:
        raise ConfigurationError(f"{where}.request: expected a mapping with 'uri' and 'method'")
    url = urlsplit(str(data["uri"]))
    headers = _header_pairs(data.get("headers"))
    if "parsed_body" in data:
        body = orjson.dumps(data["parsed_body"])
    else:
        body = _bytes(data.get("body"))
        if isinstance(data.get("body"), dict) and "string" in data["body"]:
            body = _bytes(data["body"]["string"])
    return RecordedRequest(
        method=str(data.get("method", "GET")).upper(),
        path=url.path or "/",
        query=url.query,
        headers=redaction.request_headers(headers),
        body=redaction.body(body),
    )


def _response(data: Any, where: str, redaction: Redaction) -> RecordedResponse:
    if not isinstance(data, dict):
        raise ConfigurationError(f"{where}.response: expected a mapping")
    status = data.get("status", {})
    code = status.get("code") if isinstance(status, dict) else status
    if not isinstance(code, int):
        raise ConfigurationError(f"{where}.response.status: expected a status code")
    headers = _header_pairs(data.get("headers"))
    if "parsed_body" in data:
        raw = orjson.dumps(data["parsed_body"], option=orjson.OPT_INDENT_2)
    else:
        body = data.get("body")
        raw = _bytes(body.get("string") if isinstance(body, dict) else body)
        raw = _decompress(raw, _header(headers, "content-encoding"), f"{where}.response")
    kept = redaction.response_headers(headers)
    if (_header(headers, "content-type") or "").startswith("text/event-stream"):
        frames, rest = split_frames(raw)
        return RecordedResponse(
            status=code,
            headers=kept,
            events=tuple(redaction.event(RecordedEvent(frame)) for frame in frames),
            trailing=redaction.scrub(rest),
        )
    return RecordedResponse(status=code, headers=kept, body=redaction.body(raw))


def _recorded_at(headers: list[tuple[str, str]]) -> str | None:
    date = _header(headers, "date")
    if not date:
        return None
    try:
        return utc_iso(email.utils.parsedate_to_datetime(date).timestamp())
    except (TypeError, ValueError):
        return None


def convert(data: Any, source: str, redaction: Redaction | None = None) -> list[Interaction]:
    """The interactions of a parsed VCR cassette (``source`` names it in error messages)."""
    redaction = redaction or Redaction()
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise ConfigurationError(
            f"{source} is not a VCR cassette: expected a mapping with an 'interactions' list"
        )
    interactions = []
    for index, item in enumerate(data["interactions"]):
        where = f"{source}: interactions[{index}]"
        if not isinstance(item, dict):
            raise ConfigurationError(f"{where}: expected a mapping with request and response")
        request = _request(item.get("request"), where, redaction)
        response = _response(item.get("response"), where, redaction)
        raw_request = item["request"]
        response_headers = _header_pairs(item["response"].get("headers"))
        url = urlsplit(str(raw_request["uri"]))
        base = "/v1" if url.path.startswith("/v1/") else ""
        interactions.append(
            Interaction(
                request=request,
                response=response,
                recorded_at=_recorded_at(response_headers),
                source="imported",
                upstream=f"{url.scheme}://{url.hostname or ''}{base}",
                api_version=_header(response_headers, "openai-version"),
                sdk_version=request.headers.get("user-agent"),
            )
        )
    return interactions


def read_cassette(path: Path, redaction: Redaction | None = None) -> list[Interaction]:
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path} is not valid YAML: {exc}") from None
    return convert(data, str(path), redaction)


def vcr_files(sources: Iterable[Path]) -> list[tuple[Path, str]]:
    """(file, cassette name) for every YAML cassette among ``sources`` (files or folders)."""
    found: list[tuple[Path, str]] = []
    for source in map(Path, sources):
        if source.is_dir():
            for path in sorted(p for p in source.rglob("*") if p.suffix in YAML_SUFFIXES):
                found.append((path, path.relative_to(source).with_suffix("").as_posix()))
        elif source.is_file():
            found.append((source, source.stem))
        else:
            raise ConfigurationError(f"{source} does not exist")
    return found


@dataclass(frozen=True)
class Imported:
    source: Path
    cassette: str
    written: Path | None  # None: skipped because it exists
    interactions: int


def import_cassettes(
    sources: Iterable[Path],
    directory: Path,
    *,
    redaction: Redaction | None = None,
    prefix: str = "",
    overwrite: bool = False,
) -> list[Imported]:
    """Convert every VCR cassette among ``sources`` into ``directory``; existing recordings are
    kept unless ``overwrite``."""
    results = []
    for path, name in vcr_files(sources):
        cassette_name = persist.cassette_name(f"{prefix}{name}")
        interactions = read_cassette(path, redaction)
        target = persist.cassette_path(directory, cassette_name)
        if target.exists() and not overwrite:
            results.append(Imported(path, cassette_name, None, len(interactions)))
            continue
        written = persist.save_cassette(directory, Cassette(cassette_name, interactions))
        results.append(Imported(path, cassette_name, written, len(interactions)))
    return results
