"""Statistics of one figure of merit over many devices (e.g. the paper's 25-device EQE
histogram, Li et al. 2024, Supplementary Fig. 17).

References
----------
Li, Y. et al., Nat. Commun. 15, 5696 (2024), Supplementary Fig. 17 (EQE of 25 devices).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from qdled.errors import InputError

__all__ = ["BatchResult", "batch_statistics", "plot_batch"]


@dataclass(frozen=True)
class BatchResult:
    """Summary statistics of ``quantity`` over ``n`` devices (sd with n-1 in the denominator)."""

    quantity: str
    n: int
    mean: float
    sd: float
    median: float
    min: float
    max: float
    best_device: str
    histogram: dict
    values: tuple[float, ...] = field(repr=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["values"] = list(self.values)
        return d


def batch_statistics(values, devices=None, quantity: str = "eqe_percent", bins: int | str = "auto") -> BatchResult:
    """Mean, sample sd, median, min, max, n and histogram of a figure over devices.

    Parameters
    ----------
    values : array_like
        One value per device (finite).
    devices : sequence of str, optional
        Device names (for ``best_device``).
    quantity : str
        Name of the figure, with its unit (e.g. ``eqe_percent``).
    bins : int or str
        Histogram bins (``numpy.histogram_bin_edges`` rule or count).
    """
    v = np.asarray(values, float)
    if v.ndim != 1 or v.size == 0 or not np.isfinite(v).all():
        raise InputError(f"{quantity}: need a non-empty 1-D array of finite values")
    names = [str(d) for d in devices] if devices is not None else [str(i + 1) for i in range(v.size)]
    if len(names) != v.size:
        raise InputError(f"got {len(names)} device names for {v.size} values")
    counts, edges = np.histogram(v, bins=bins)
    return BatchResult(
        quantity=quantity,
        n=int(v.size),
        mean=float(v.mean()),
        sd=float(v.std(ddof=1)) if v.size > 1 else float("nan"),
        median=float(np.median(v)),
        min=float(v.min()),
        max=float(v.max()),
        best_device=names[int(np.argmax(v))],
        histogram={"edges": edges.tolist(), "counts": counts.tolist()},
        values=tuple(float(x) for x in v),
    )


def plot_batch(result: BatchResult):
    """Figure: histogram of the figure over devices with mean and sd."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    h = result.histogram
    ax.stairs(h["counts"], h["edges"], fill=True, color="0.6")
    ax.axvline(result.mean, color="r", label=f"mean {result.mean:.2f} ± {result.sd:.2f} (n = {result.n})")
    ax.set_xlabel(result.quantity)
    ax.set_ylabel("devices")
    ax.legend()
    fig.tight_layout()
    return fig
