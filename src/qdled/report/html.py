"""The report page: one self-contained HTML file, figures embedded as base64 PNG."""

from __future__ import annotations

import base64
import html
from typing import Sequence

from qdled.report.table import Row

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.calibrated{background:#fff6dd}.predicted{background:#e9f7ec}
figure{display:inline-block;margin:.5em;vertical-align:top;max-width:48%}figure img{max-width:100%}
figcaption{font-size:.85em;color:#555}.meta{color:#666;font-size:.85em}
"""


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def render_html(
    rows: Sequence[Row],
    figures: Sequence[tuple[str, str, bytes]],
    provenance: dict,
    notes: Sequence[str] = (),
) -> str:
    """Build the page.

    Parameters
    ----------
    rows : model-vs-paper rows.
    figures : (id, caption, PNG bytes) for each figure, in page order.
    provenance : version, inputs, time; shown at the top.
    notes : paragraphs (plain text) about calibration and assumptions.
    """
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>qdled report: Li et al. 2024 CsPbI3 QD LED</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>qdled: model of the pure-red CsPbI<sub>3</sub> QD LED of Li et al., Nat. Commun. 15, 5696 (2024)</h1>",
        "<p class='meta'>"
        + " &middot; ".join(f"{esc(str(k))}: {esc(str(v))}" for k, v in provenance.items() if not isinstance(v, dict))
        + "</p>",
        "<h2>Headline numbers: model against paper</h2>",
        "<p>Rows marked <b>calibrated</b> are numbers the model was fitted to; "
        "<b>predicted</b> rows were not used in any fit.</p>",
        "<table id='results'><thead><tr><th>quantity</th><th>paper</th><th>model</th><th>difference</th><th>unit</th>"
        "<th>status</th><th>model</th><th>paper source</th></tr></thead><tbody>",
    ]
    for r in rows:
        parts.append(
            f"<tr class='{r.status}'><td>{esc(r.quantity)}</td><td class='num'>{_fmt(r.paper)}</td>"
            f"<td class='num'>{_fmt(r.model)}</td><td class='num'>{_fmt(r.difference)}</td><td>{esc(r.unit)}</td>"
            f"<td>{r.status}</td><td>{esc(r.model_name)}</td><td>{esc(r.source)}</td></tr>"
        )
    parts.append("</tbody></table>")
    if notes:
        parts.append("<h2>Notes</h2>")
        parts += [f"<p>{esc(n)}</p>" for n in notes]
    if figures:
        parts.append("<h2>Figures</h2>")
    for fig_id, caption, png in figures:
        b64 = base64.b64encode(png).decode("ascii")
        parts.append(
            f"<figure id='{esc(fig_id)}'><img alt='{esc(caption)}' src='data:image/png;base64,{b64}'>"
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
