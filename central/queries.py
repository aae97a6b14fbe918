"""Moved: the synthetic query answers are the sandbox's back end (central.sandbox.queries).

This alias keeps `import central.queries` (and its private names) working for older imports.
"""

from __future__ import annotations

import sys

from central.sandbox import queries as _queries

sys.modules[__name__] = _queries
