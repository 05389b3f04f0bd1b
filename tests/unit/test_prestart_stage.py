"""A prestart's stage call (govpress/prestart.py ``Prestart._stage``) when the flow's task fails first.

The call the prestart began early may have ended with an exception of its own by then (the run's stop,
govpress/stops.py). Its end must be retrieved: asyncio otherwise logs "Task exception was never
retrieved" with a traceback when the task is collected, which the heavy SIGTERM test once caught in
fresh-clone CI. No Prefect here: the adoption's calls are plain coroutines.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
from types import SimpleNamespace

import pytest

from govpress.plan import RunParams
from govpress.prestart import Adoption, Prestart


class Stopped(Exception):
    pass


class TaskFailed(Exception):
    pass


def test_an_early_call_that_failed_is_retrieved_when_the_flow_task_fails_first(tmp_path):
    unretrieved: list[str] = []

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: unretrieved.append(context["message"]))
        prestart = Prestart(flow="ingest", db=tmp_path / "govpress.duckdb", sources_file=None, source_ids=None,
                            params=RunParams())

        async def early_batch(ctx, source, items, number):
            raise Stopped("the run was asked to stop")

        async def flow_batch(ctx, source, items, number):
            await asyncio.sleep(0.01)  # the early call has ended by now
            raise TaskFailed("the flow's batch task failed before it took the call")

        async def unused(*args):
            raise AssertionError("not called")

        prestart.adoption = Adoption(parameters={}, context=contextvars.copy_context(), discover=unused,
                                     batch=flow_batch, verdict=unused)
        prestart._adopted.set()
        ctx = SimpleNamespace(early={})
        call = prestart._stage("batch", early_batch)
        with pytest.raises(TaskFailed):
            await call(ctx, SimpleNamespace(id="demo"), [], 1)
        assert ctx.early == {}  # the call is not left for a retry to adopt
        gc.collect()
        await asyncio.sleep(0)

    asyncio.run(scenario())
    gc.collect()
    assert not [m for m in unretrieved if "never retrieved" in m], unretrieved
