"""The report page in a real headless Chromium: loads without console errors, images render, table complete.

A copy of the page gets a probe script (test-side only) that records console errors and, after load,
checks every <img> decoded (naturalWidth > 0) and counts table rows; Chromium's --dump-dom returns
the final DOM with the probe's verdict. Skipped with a reason where Chromium is not installed.
"""

import json
import re
import shutil
import subprocess

import pytest

from qdled.report.pipeline import MARKER

PROBE = """<script>
window.__errors = [];
const _err = console.error.bind(console);
console.error = (...a) => { window.__errors.push(a.join(' ')); _err(...a); };
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
window.addEventListener('load', () => {
  const imgs = Array.from(document.images);
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt);
  const rows = document.querySelectorAll('#results tbody tr').length;
  const pre = document.createElement('pre'); pre.id = 'qa';
  pre.textContent = JSON.stringify({images: imgs.length, broken, rows, errors: window.__errors});
  document.body.appendChild(pre);
});
</script>"""


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def probe_page(html_path, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("headless Chromium not installed (make test installs Debian's chromium when run as root)")
    page = tmp_path / "probe.html"
    page.write_text(html_path.read_text().replace("<head>", "<head>" + PROBE, 1))
    proc = subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    m = re.search(r'<pre id="qa">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"probe did not run; chromium stderr: {proc.stderr[-2000:]}"
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


def test_report_page_renders(report_dir, tmp_path):
    assert (report_dir / MARKER).exists()
    table = json.loads((report_dir / "results.json").read_text())["table"]
    qa = probe_page(report_dir / "index.html", tmp_path)
    assert qa["errors"] == []
    assert qa["broken"] == [] and qa["images"] >= 1
    assert qa["rows"] == len(table) >= 1
