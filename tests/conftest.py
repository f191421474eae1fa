"""Shared test setup."""

pytest_plugins = ["pytester"]
