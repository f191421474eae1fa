"""What a test scripts: stubs and their matching, faults, pacing, per-request directives, the
injectable clock, a create request's plan, and the request journal.

Pure data and matching that the fake model obeys, so it sits below ``model``. May import only
``contract``.
"""
