"""Hypothesis profiles for property tests against the mock (this project's and users').

* ``dev`` (quick, for the edit-test loop): few examples, no deadline, no example database writes
  from worker threads to fight over.
* ``ci`` (thorough): Hypothesis' default 100 examples, derandomized so a CI run is reproducible,
  printing the blob that reproduces a failure. Tests that send every example to a server scale
  their own count from the loaded profile (``roundtrip_examples``), so the suite stays within a
  few minutes on two cores.

Select one with the environment variable ``HYPOTHESIS_PROFILE=dev|ci`` (the pytest plugin reads
it), with pytest's ``--hypothesis-profile=ci``, or with the ini option
``mockserver_hypothesis_profile``. Registering is all importing this module does.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = ("dev", "ci")
ENV_VAR = "HYPOTHESIS_PROFILE"

# Tests that talk to a server use function-scoped client fixtures on purpose (one client per
# test, reused across examples); Hypothesis warns about that by default.
_SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=_SUPPRESS)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SUPPRESS,
)


def roundtrip_examples(divisor: int = 4, minimum: int = 5) -> int:
    """Examples for a test that makes HTTP round trips: a fraction of the loaded profile's."""
    return max(minimum, settings.default.max_examples // divisor)


def load(default: str | None = None) -> str | None:
    """Load the profile ``$HYPOTHESIS_PROFILE`` names (else ``default``); returns its name."""
    name = os.environ.get(ENV_VAR) or default
    if name:
        settings.load_profile(name)
    return name
