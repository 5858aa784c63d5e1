"""The stages of ``qdled reproduce``, in the order data flows (each ``stage(ctx) -> StageOutput``)."""

from __future__ import annotations

from typing import Any, Callable

from qdled.report.pipeline import StageOutput

Stage = Callable[[dict[str, Any]], StageOutput]

STAGES: list[tuple[str, Stage]] = []
