"""Imported once by the parse workers' fork server: every parser, the language model and a sample page's parse, before any worker forks.

The workers (govpress.parse_workers) are forked from a server process that imported this
module, so each starts with the parsers imported and the language model (0.7 s to load) in
memory, shared copy-on-write, instead of paying for both per worker; and the workers it forks
do not re-run the parent's main module (:func:`govpress.parse_workers.serve_without_main`), which
would import the store, DuckDB and Arrow in each. Importing it anywhere else only warms that
process (the main-module switch matters only in a fork server: it acts in the processes it forks). In a plain
run the fork server is forked from the run's process within its imports (:func:`govpress.parse_workers.fork_server_early`)
and imports this module when the pool starts: what the run had imported by then (NumPy, the parsers' modules) is
imported already.

First, before NumPy is imported: OpenBLAS on one thread (:func:`govpress.settings.one_blas_thread`); the imports
and the warm-up with the cyclic collector paused, then frozen (:func:`govpress.settings.paused_gc`), and the patterns
every module compiles meanwhile from the machine's file of compiled patterns
(:func:`govpress.parsers.regex_cache.every_pattern`; :func:`govpress.parse_workers.preloaded` writes it when it
lacked some), and the code dataclasses and typing generate from the machine's file of it
(:func:`govpress.code_cache.every_code`, written likewise). When it stops, the fork server ends without the interpreter's teardown
(:func:`govpress.parse_workers.end_fork_server_at_once`).
"""

from __future__ import annotations

from govpress.settings import one_blas_thread, paused_gc

one_blas_thread()

with paused_gc(code=None):  # the parsers' imports and the warm-up, then frozen: the workers' collections skip them too
    from govpress.code_cache import every_code
    from govpress.parsers.regex_cache import every_pattern

    # other libraries' patterns too (trafilatura's, htmldate's, urllib3's...), and dataclasses' generated methods
    with every_pattern(), every_code("parse"):
        from govpress.parse_workers import (end_fork_server_at_once, note_fork_server, preloaded, serve_without_main,
                                            warm_server)

        note_fork_server()
        serve_without_main()
        end_fork_server_at_once()
        warm_server()
    preloaded()
