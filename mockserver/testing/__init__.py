"""What users import into their test suites: the pytest plugin, the recording marker, Hypothesis
strategies and profiles.

An edge: may import any layer below; nothing in the server imports it.
"""
