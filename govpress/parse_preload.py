"""Imported once by the parse workers' fork server: every parser and the language model, loaded before any worker forks.

The workers (govpress.parse_workers) are forked from a server process that imported this
module, so each starts with the parsers imported and the language model (0.7 s to load) in
memory, shared copy-on-write, instead of paying for both per worker. Importing it anywhere
else only warms that process. The fork server also imports what the parent's main module imports
(:func:`govpress.parse_workers.main_module_imports`), which multiprocessing would otherwise have
every worker import again.
"""

from __future__ import annotations

from govpress.parse_workers import warm_worker

warm_worker()
