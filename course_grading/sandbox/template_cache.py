"""nbconvert's ``HTMLExporter`` whose Jinja templates are compiled once per process tree, not per page.

nbgrader's ``GenerateFeedback`` makes a new exporter for every call, and nbconvert a new Jinja
``Environment`` for every exporter (``TemplateExporter._create_environment``), which parses and
compiles each template of the page again: nine templates, about a sixth of a grading worker's
CPU (measured with cProfile on lecture 01's exercise). :class:`CachedTemplatesHTMLExporter` gives
its environment :data:`COMPILED_TEMPLATES`, a Jinja ``BytecodeCache`` kept in memory: a template
compiled once (by any exporter of this process, or of the forkserver the worker was forked from,
see :mod:`course_grading.sandbox.worker_preload`) is loaded from its code object afterwards.

Jinja stores a checksum of the template's source with the code (``jinja2.bccache.Bucket``) and
compiles again when the source differs, so a changed template is never served stale; the page
is the one the same template renders without the cache.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from jinja2.environment import Environment
from nbconvert import HTMLExporter

__all__ = ["COMPILED_TEMPLATES", "CachedTemplatesHTMLExporter", "MemoryBytecodeCache"]


class MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in this process's memory, by template name and file."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # dropped by Jinja if the source's checksum differs

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


#: The cache every :class:`CachedTemplatesHTMLExporter` of this process shares.
COMPILED_TEMPLATES = MemoryBytecodeCache()


class CachedTemplatesHTMLExporter(HTMLExporter):
    """``HTMLExporter`` (configured as one) whose templates load from :data:`COMPILED_TEMPLATES`."""

    def _create_environment(self) -> Environment:
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED_TEMPLATES
        return environment
