"""Record and replay: the cassette format, the record modes, request matching, redaction, the
one module that writes cassettes to disk (``persist``), the one that calls the real API
(``upstream``), VCR import and drift reports.

May import ``state`` and everything below it.
"""
