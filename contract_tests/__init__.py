"""Contract tests: the public openai SDK against a chosen target (see conftest.py)."""
