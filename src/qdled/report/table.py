"""Rows of the model-versus-paper table."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from qdled.io.paper import paper_values

Status = Literal["calibrated", "predicted"]


@dataclass(frozen=True)
class Row:
    """One headline number: the paper's value, the model's, and whether the model was fitted to it."""

    key: str
    quantity: str
    paper: float
    model: float
    unit: str
    status: Status
    source: str
    model_name: str = ""

    @property
    def difference(self) -> float:
        """model - paper, in ``unit``."""
        return self.model - self.paper

    def to_dict(self) -> dict:
        d = asdict(self)
        d["difference"] = self.difference
        return d


def row(key: str, quantity: str, model: float, status: Status, model_name: str = "") -> Row:
    """A row for paper value ``key`` (see :func:`qdled.io.paper.paper_values`)."""
    if status not in ("calibrated", "predicted"):
        raise ValueError(f"status must be 'calibrated' or 'predicted', got {status!r}")
    pv = paper_values()[key]
    return Row(key, quantity, pv.value, float(model), pv.unit, status, pv.source, model_name)
