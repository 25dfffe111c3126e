# SPDX-License-Identifier: MIT
"""Fixtures of the browser suite: the integration harness (network namespace,
`cau serve`, helpers), loaded from tests/integration/conftest.py."""

import importlib.util
import sys
from pathlib import Path

INTEGRATION_DIR = Path(__file__).resolve().parent.parent / "integration"


def _load_harness():
    """Returns the integration conftest as module `cau_harness`, reusing it
    when pytest has already imported it for the integration suite."""
    if "cau_harness" in sys.modules:
        return sys.modules["cau_harness"]
    spec = importlib.util.spec_from_file_location("cau_harness",
                                                  INTEGRATION_DIR / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["cau_harness"] = module
    spec.loader.exec_module(module)
    return module


_harness = _load_harness()
globals().update({name: getattr(_harness, name) for name in _harness.__all__})
