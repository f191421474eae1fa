"""Import paths from before the package was grouped into layers, kept working for users.

``import mockserver.strategies`` gives ``mockserver.testing.strategies`` itself (same module
object), so old imports, ``-p mockserver.pytest_plugin`` and monkeypatching keep working.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

MOVED = {
    "mockserver.strategies": "mockserver.testing.strategies",
    "mockserver.pytest_plugin": "mockserver.testing.pytest_plugin",
    "mockserver.hypothesis_profiles": "mockserver.testing.hypothesis_profiles",
    "mockserver.pacing": "mockserver.scenarios.pacing",
    "mockserver.conformance": "mockserver.contract.conformance",
}


class MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(MOVED[spec.name])
        # importlib sets __spec__ on what we return: keep the real module's own.
        self._real_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._real_spec


def install() -> None:
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
