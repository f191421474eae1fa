"""What the API accepts and emits: request validation, the error tree, the SDK-generated schemas,
the conformance allowlist, the model catalogue, input normalisation, tool and ``text.format``
rules, and ids.

The bottom layer: imports nothing else from ``mockserver``. Pure: no Starlette, no disk (but the
schema files it loads), no clock.
"""
