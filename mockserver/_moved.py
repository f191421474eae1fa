"""Import paths from before the package was grouped into layers, kept working for users.

``import mockserver.strategies`` gives ``mockserver.testing.strategies`` itself (same module
object), so old imports, ``-p mockserver.pytest_plugin`` and monkeypatching keep working.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

MOVED = {
    "mockserver.strategies": "mockserver.testing.strategies",
    "mockserver.pytest_plugin": "mockserver.testing.pytest_plugin",
    "mockserver.hypothesis_profiles": "mockserver.testing.hypothesis_profiles",
    "mockserver.pacing": "mockserver.scenarios.pacing",
    "mockserver.conformance": "mockserver.contract.conformance",
}


class MovedModuleFinder:
    """A meta path finder and loader (duck-typed: ``importlib.abc`` pulls in
    ``importlib.resources`` and more, which every start-up would pay for)."""

    def __init__(self) -> None:
        # The real modules' own specs, by old name, between create_module and exec_module.
        self._specs: dict[str, importlib.machinery.ModuleSpec | None] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(MOVED[spec.name])
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # importlib set the old name's spec on the module we returned: give it back its own.
        old_spec = module.__spec__
        if old_spec is not None and old_spec.name in self._specs:
            module.__spec__ = self._specs.pop(old_spec.name)


def install() -> None:
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
