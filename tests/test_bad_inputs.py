"""Hostile input to every command and reader: exit code 2, one stderr line naming the file or value, no
traceback, no "internal error", and nothing written (issue #16).

Each case runs the real entry point, :func:`qdled.cli.main.run` (in-process for speed; a few cases in a
subprocess, as a user runs it), in an empty working directory whose contents are compared before and after.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qdled.cli.main import run

FIX = Path(__file__).parent / "fixtures" / "analysis"

_STACK_HEAD = 'substrate = "glass"\noutside = "air"\ntop = "air"\n'


def _layer(name, material="ITO", thickness="150", emitter=False):
    text = f'[[layers]]\nname = "{name}"\nmaterial = "{material}"\nthickness_nm = {thickness}\n'
    return text + ("emitter = true\n" if emitter else "")


_QD = _layer("QD", "CsPbI3-QD", "35", emitter=True)

#: name -> content of the hostile files (bytes are written as they are).
STACKS = {
    "s_thick_str.toml": _STACK_HEAD + _layer("ITO", thickness='"abc"') + _QD,
    "s_thick_neg.toml": _STACK_HEAD + _layer("ITO", thickness="-5") + _QD,
    "s_thick_huge.toml": _STACK_HEAD + _layer("ITO", thickness="1e9") + _QD,
    "s_thick_tiny.toml": _STACK_HEAD + _layer("ITO", thickness="1e-30") + _QD,
    "s_thick_nan.toml": _STACK_HEAD + _layer("ITO", thickness="nan") + _QD,
    "s_thick_bool.toml": _STACK_HEAD + _layer("ITO", thickness="true") + _QD,
    "s_zero_layers.toml": _STACK_HEAD + "layers = []\n",
    "s_no_layers.toml": _STACK_HEAD,
    "s_layers_str.toml": _STACK_HEAD + 'layers = "ITO"\n',
    "s_unknown_material.toml": _STACK_HEAD + _layer("ITO", "unobtainium") + _QD,
    "s_duplicate.toml": _STACK_HEAD + _layer("QD") + _QD,
    "s_no_emitter.toml": _STACK_HEAD + _layer("ITO") + _layer("QD", "CsPbI3-QD", "35"),
    "s_two_emitters.toml": _STACK_HEAD + _layer("ITO", emitter=True) + _QD,
    "s_unknown_key.toml": _STACK_HEAD + _layer("ITO") + _QD + 'colour = "red"\n',
    "s_substrate_number.toml": 'substrate = 5\noutside = "air"\ntop = "air"\n' + _QD,
    "s_n_huge.toml": _STACK_HEAD + '[[layers]]\nname = "X"\nn = 1e9\nthickness_nm = 10\n' + _QD,
    "s_k_huge.toml": _STACK_HEAD + '[[layers]]\nname = "X"\nn = 1.5\nk = 1e9\nthickness_nm = 10\n' + _QD,
    "s_many_layers.toml": _STACK_HEAD + "".join(_layer(f"L{i}", thickness="1") for i in range(300)) + _QD,
    "s_malformed.toml": "[[layers]\nname = ",
    "s_position.toml": _STACK_HEAD + _layer("ITO") + _QD + "[emitter]\nposition = 2\n",
    "s_coherent_yes.toml": 'substrate = {material = "glass", coherent = "yes"}\noutside = "air"\ntop = "air"\n' + _QD,
    "s_emitter_quoted.toml": _STACK_HEAD + _layer("ITO") + _QD.replace("emitter = true", 'emitter = "true"'),
    "s_long_name.toml": _STACK_HEAD + _layer("L" * 10_000) + _QD,
    "s_empty.toml": "",
    "s_random.toml": bytes(range(128, 256)) * 8,
    "s_utf16_garbage.toml": (_STACK_HEAD + _QD).encode("utf-16") + b"\x00\xd8\x41" + bytes(range(200, 256)),
}

_RECIPE = (Path(__file__).parents[1] / "src/qdled/data/recipes/li2024-nsa-pf6.toml").read_text(encoding="utf-8")


def _recipe(section: str, key: str, value: str) -> str:
    out, current, done = [], None, False
    for line in _RECIPE.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        if current == section and line.split("=")[0].strip() == key:
            line, done = f"{key} = {value}", True
        out.append(line)
    assert done, (section, key)
    return "\n".join(out) + "\n"


RECIPES = {
    "r_nsa_huge.toml": _recipe("nsa", "amount_mmol", "1e6"),
    "r_nsa_negative.toml": _recipe("nsa", "amount_mmol", "-1"),
    "r_temperature_huge.toml": _recipe("injection", "temperature_C", "1e6"),
    "r_growth_tiny.toml": _recipe("injection", "growth_time_s", "1e-12"),
    "r_growth_huge.toml": _recipe("injection", "growth_time_s", "1e9"),
    "r_growth_string.toml": _recipe("injection", "growth_time_s", '"five"'),
    "r_pbi2_huge.toml": _recipe("precursors", "PbI2_g", "1e6"),
    "r_volume_huge.toml": _recipe("precursors", "ODE_mL", "1e6"),
    "r_injected_exceeds_stock.toml": _recipe("cs_oleate", "injected_mL", "50"),
    "r_quench_cold.toml": _recipe("quench", "final_temperature_C", "-100"),
    "r_bath.toml": _recipe("quench", "bath", '"lava"'),
    "r_pf6_huge.toml": _recipe("purification", "NH4PF6_mmol", "1e6"),
    "r_unknown_section.toml": _RECIPE + "\n[foo]\nbar = 1\n",
    "r_nsa_injection_too_cold.toml": _recipe("nsa", "injection_temperature_C", "10"),
}

DATA = {
    "d_empty.csv": "",
    "d_header_only.csv": "wavelength_nm,intensity\n",
    "d_random.csv": bytes(range(128, 256)) * 8,
    "d_utf16_garbage.csv": "wavelength_nm,intensity\n600,1\n610,2\n".encode("utf-16") + b"\x00\xd8\x41\xff\xfe\x00\xdc",
    "d_not_an_image.png": "this is not a PNG\n",
    "d_spectrum.csv": "wavelength_nm,intensity\n" + "".join(f"{600 + i},{1 + (i % 7)}\n" for i in range(60)),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    for name, content in {**STACKS, **RECIPES, **DATA}.items():
        (d / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    (d / "a_directory").mkdir()
    (d / "dangling.toml").symlink_to(d / "nowhere")
    return d


def _run_inprocess(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["qdled", *args])
    with pytest.raises(SystemExit) as exit_info:
        run()
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else code), out, err


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _check(code: int, out: str, err: str, needle: str) -> None:
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("qdled: error: "), err
    assert "internal error" not in err and "Traceback" not in err
    assert needle in lines[0], (needle, lines[0])
    assert out == "", out


# (id, arguments, the text the one stderr line must contain). In the arguments, {f} is the directory of
# the hostile files and {o} the (empty) working directory of the case, which must stay empty.
_STACK_CASES = [(f"validate stack {n}", ["validate", "stack", "{f}/" + n], n) for n in STACKS]
_RECIPE_CASES = [(f"validate recipe {n}", ["validate", "recipe", "{f}/" + n], n) for n in RECIPES]
_FILE_ODDITIES = [
    ("validate stack directory", ["validate", "stack", "{f}/a_directory"], "a_directory"),
    ("validate stack dangling symlink", ["validate", "stack", "{f}/dangling.toml"], "dangling.toml"),
    ("validate stack missing", ["validate", "stack", "{f}/missing.toml"], "missing.toml"),
    ("validate recipe directory", ["validate", "recipe", "{f}/a_directory"], "a_directory"),
    ("validate kind", ["validate", "stock", "{f}/s_empty.toml"], "'stock'"),
    ("validate endless file", ["validate", "stack", "/dev/zero"], "/dev/zero"),  # read with a bound, refused
]
_SYNTHESIZE = [
    ("synthesize --nsa-mmol huge", ["synthesize", "--nsa-mmol", "1e6", "--json"], "--nsa-mmol"),
    ("synthesize --nsa-mmol nan", ["synthesize", "--nsa-mmol", "nan", "--json"], "--nsa-mmol"),
    ("synthesize --nsa-mmol negative", ["synthesize", "--nsa-mmol", "-1", "--json"], "--nsa-mmol"),
    ("synthesize --bins 0", ["synthesize", "--bins", "0", "--json"], "--bins"),
    ("synthesize --bins huge", ["synthesize", "--bins", "20000", "--json"], "--bins"),
    ("synthesize --binding", ["synthesize", "--binding", "dft", "--json"], "--binding"),
    ("synthesize recipe missing", ["synthesize", "{f}/missing.toml", "--json"], "missing.toml"),
    ("synthesize recipe directory", ["synthesize", "{f}/a_directory", "--json"], "a_directory"),
    ("synthesize recipe nsa huge", ["synthesize", "{f}/r_nsa_huge.toml", "--json"], "r_nsa_huge.toml"),
    ("synthesize recipe random", ["synthesize", "{f}/s_random.toml", "--json"], "s_random.toml"),
    ("synthesize --plot missing dir", ["synthesize", "--plot", "{o}/nodir/s.png"], "nodir"),
    ("synthesize --plot suffix", ["synthesize", "--plot", "{o}/s.txt"], "s.txt"),
]
_DOTS = [
    ("dots --edge-nm 0", ["dots", "--edge-nm", "0", "--json"], "--edge-nm"),
    ("dots --edge-nm nan", ["dots", "--edge-nm", "nan", "--json"], "--edge-nm"),
    ("dots --edge-nm huge", ["dots", "--edge-nm", "1e9", "--json"], "--edge-nm"),
    ("dots --sd-nm huge", ["dots", "--sd-nm", "100", "--json"], "--sd-nm"),
    ("dots --sd-nm negative", ["dots", "--sd-nm", "-1", "--json"], "--sd-nm"),
    ("dots --method", ["dots", "--method", "bogus", "--json"], "bogus"),
    ("dots --ligands", ["dots", "--ligands", "bogus", "--json"], "bogus"),
    ("dots --plot missing dir", ["dots", "--plot", "{o}/nodir/d.png"], "nodir"),
]
_BIND = [
    ("bind --ligand", ["bind", "--ligand", "bogus", "--json"], "bogus"),
    ("bind --cluster-n", ["bind", "--cluster-n", "0", "--json"], "--cluster-n"),
    ("bind --mode", ["bind", "--mode", "bogus", "--json"], "--mode"),
    ("bind --write-runs missing dir", ["bind", "--write-runs", "{o}/nodir/runs.json"], "nodir"),
    ("bind --write-runs directory", ["bind", "--write-runs", "{f}/a_directory"], "a_directory"),
]
_OPTICS = [
    ("optics stack random", ["optics", "{f}/s_random.toml", "--json"], "s_random.toml"),
    ("optics stack n huge", ["optics", "{f}/s_n_huge.toml", "--json"], "s_n_huge.toml"),
    ("optics stack directory", ["optics", "{f}/a_directory", "--json"], "a_directory"),
    ("optics --wavelength-nm nan", ["optics", "--wavelength-nm", "nan", "--json"], "--wavelength-nm"),
    ("optics --wavelength-nm 0", ["optics", "--wavelength-nm", "0", "--json"], "--wavelength-nm"),
    ("optics --wavelength-nm huge", ["optics", "--wavelength-nm", "1e9", "--json"], "--wavelength-nm"),
    ("optics --plqy", ["optics", "--plqy", "2", "--json"], "--plqy"),
    ("optics --charge-balance", ["optics", "--charge-balance", "-1", "--json"], "--charge-balance"),
    ("optics --spectrum empty", ["optics", "--spectrum", "{f}/d_empty.csv", "--json"], "d_empty.csv"),
    ("optics --spectrum header", ["optics", "--spectrum", "{f}/d_header_only.csv", "--json"], "d_header_only.csv"),
    ("optics --spectrum random", ["optics", "--spectrum", "{f}/d_random.csv", "--json"], "d_random.csv"),
    ("optics --spectrum utf16", ["optics", "--spectrum", "{f}/d_utf16_garbage.csv", "--json"], "d_utf16_garbage"),
    ("optics --spectrum directory", ["optics", "--spectrum", "{f}/a_directory", "--json"], "a_directory"),
    ("optics --spectrum missing", ["optics", "--spectrum", "{f}/missing.csv", "--json"], "missing.csv"),
    ("optics --plot missing dir", ["optics", "--plot", "{o}/nodir/k.png"], "nodir"),
]
_DEVICE = [
    ("device --recipe missing", ["device", "--recipe", "bogus", "--json"], "bogus"),
    ("device --recipe nsa huge", ["device", "--recipe", "{f}/r_nsa_huge.toml", "--json"], "r_nsa_huge.toml"),
    ("device --eta-out huge", ["device", "--eta-out", "2", "--json"], "--eta-out"),
    ("device --eta-out nan", ["device", "--eta-out", "nan", "--json"], "--eta-out"),
    ("device stack random", ["device", "{f}/s_random.toml", "--json"], "s_random.toml"),
    ("device stack thickness huge", ["device", "{f}/s_thick_huge.toml", "--json"], "s_thick_huge.toml"),
    ("device --plot missing dir", ["device", "--eta-out", "0.2", "--plot", "{o}/nodir/d.png"], "nodir"),
]
_READER_FILES = ["d_empty.csv", "d_header_only.csv", "d_random.csv", "d_utf16_garbage.csv", "a_directory"]
_ANALYZE = [
    (f"analyze {kind} {name}", ["analyze", kind, "{f}/" + name, "--json"], name)
    for kind in ("spectrum", "trpl", "tauc", "lifetime", "batch")
    for name in [*_READER_FILES, "dangling.toml"]
]
_ANALYZE += [
    (f"analyze jvl {name}", ["analyze", "jvl", "{f}/" + name, "--spectrum", str(FIX / "el_spectrum.csv")], name)
    for name in _READER_FILES
]
_ANALYZE += [
    (f"analyze tem {name}", ["analyze", "tem", "{f}/" + name, "--nm-per-pixel", "0.1", "--json"], name)
    for name in ["d_not_an_image.png", "d_spectrum.csv", "d_random.csv", "d_empty.csv", "a_directory"]
]
_ANALYZE += [
    ("analyze tauc --window-eV nan", ["analyze", "tauc", "{f}/d_spectrum.csv", "--window-eV", "nan"], "--window-eV"),
    ("analyze tauc --window-eV huge", ["analyze", "tauc", "{f}/d_spectrum.csv", "--window-eV", "1e308"], "--window-eV"),
    ("analyze tauc --min-r2", ["analyze", "tauc", "{f}/d_spectrum.csv", "--min-r2", "-1"], "--min-r2"),
    (
        "analyze tem --nm-per-pixel huge",
        ["analyze", "tem", "{f}/d_spectrum.csv", "--nm-per-pixel", "1e308"],
        "--nm-per-pixel",
    ),
    (
        "analyze tem --nm-per-pixel nan",
        ["analyze", "tem", "{f}/d_spectrum.csv", "--nm-per-pixel", "nan"],
        "--nm-per-pixel",
    ),
    ("analyze batch --bins 0", ["analyze", "batch", str(FIX / "batch.csv"), "--bins", "0", "--json"], "--bins"),
    ("analyze batch --bins -1", ["analyze", "batch", str(FIX / "batch.csv"), "--bins", "-1", "--json"], "--bins"),
    ("analyze trpl --components", ["analyze", "trpl", str(FIX / "trpl.csv"), "--components", "0"], "--components"),
    ("analyze spectrum --white-point", ["analyze", "spectrum", "{f}/d_spectrum.csv", "--white-point", "X"], "'X'"),
    (
        "analyze spectrum --plot missing dir",
        ["analyze", "spectrum", "{f}/d_spectrum.csv", "--plot", "{o}/no/s.png"],
        "no",
    ),
]
_SW = ["sweep", "--out", "{o}/sweep.nc"]
_SWEEP = [
    ("sweep step 1e-9", [*_SW, "--vary", "QD.thickness_nm=10:60:1e-9"], "5e+10 points"),
    ("sweep step denormal", [*_SW, "--vary", "QD.thickness_nm=10:60:1e-320"], "inf points"),
    (
        "sweep grid product",
        [*_SW, "--vary", "QD.thickness_nm=1:5000:0.5", "--vary", "ITO.thickness_nm=1:5000:0.5"],
        "9999 x 9999",
    ),
    (
        "sweep --samples huge",
        [*_SW, "--vary", "QD.thickness_nm=30:40:1", "--design", "lhs", "--samples", "10000000"],
        "1e+07",
    ),
    ("sweep stop inf", [*_SW, "--vary", "QD.thickness_nm=10:inf:1"], "10:inf:1"),
    ("sweep start nan", [*_SW, "--vary", "QD.thickness_nm=nan:60:1"], "nan:60:1"),
    ("sweep no equals", [*_SW, "--vary", "QD.thickness_nm"], "QD.thickness_nm"),
    ("sweep step zero", [*_SW, "--vary", "QD.thickness_nm=10:60:0"], "10:60:0"),
    ("sweep thickness negative", [*_SW, "--vary", "QD.thickness_nm=-10:10:5"], "-10"),
    ("sweep thickness huge", [*_SW, "--vary", "QD.thickness_nm=1e9,2e9"], "1000000000"),
    ("sweep unknown layer", [*_SW, "--vary", "Nope.thickness_nm=1,2"], "Nope"),
    ("sweep unknown field", [*_SW, "--vary", "QD.colour=1,2"], "colour"),
    (
        "sweep duplicate key",
        [*_SW, "--vary", "QD.thickness_nm=30,40", "--vary", "QD.thickness_nm=30,40"],
        "QD.thickness_nm",
    ),
    ("sweep --out missing dir", ["sweep", "--out", "{o}/nodir/s.nc", "--vary", "QD.thickness_nm=30,40"], "nodir"),
    ("sweep --out directory", ["sweep", "--out", "{f}/a_directory", "--vary", "QD.thickness_nm=30,40"], "a_directory"),
    ("sweep --design", [*_SW, "--vary", "QD.thickness_nm=30,40", "--design", "x"], "--design"),
    ("sweep --chunk", [*_SW, "--vary", "QD.thickness_nm=30,40", "--chunk", "0"], "--chunk"),
    ("sweep --workers", [*_SW, "--vary", "QD.thickness_nm=30,40", "--workers", "0"], "--workers"),
    ("sweep --wavelength-nm", [*_SW, "--vary", "QD.thickness_nm=30,40", "--wavelength-nm", "nan"], "--wavelength-nm"),
    ("sweep --target", [*_SW, "--vary", "QD.thickness_nm=30,40", "--target", "bogus"], "bogus"),
    ("sweep --scheduler", [*_SW, "--vary", "QD.thickness_nm=30,40", "--scheduler", "bogus"], "--scheduler"),
    (
        "sweep --plot is --out",
        ["sweep", "--out", "{o}/s.png", "--vary", "QD.thickness_nm=30,40", "--plot", "{o}/s.png"],
        "--plot",
    ),
    ("sweep --workers huge", [*_SW, "--vary", "QD.thickness_nm=30,40", "--workers", "100000"], "--workers"),
    (
        "sweep --seed",
        [*_SW, "--vary", "QD.thickness_nm=30,40", "--design", "lhs", "--samples", "3", "--seed", "-1"],
        "--seed",
    ),
    (
        "sweep --out through a file",
        ["sweep", "--out", "{f}/d_empty.csv/s.nc", "--vary", "QD.thickness_nm=30,40"],
        "d_empty.csv",
    ),
    ("sweep recipe nsa huge", [*_SW, "--recipe", "li2024-control", "--vary", "nsa.amount_mmol=0,1e6"], "amount_mmol"),
    ("sweep recipe unknown key", [*_SW, "--recipe", "li2024-control", "--vary", "nsa.foo=0,1"], "nsa.foo"),
    ("sweep stack random", [*_SW, "{f}/s_random.toml", "--vary", "QD.thickness_nm=30,40"], "s_random.toml"),
    ("sweep --plot missing dir", [*_SW, "--vary", "QD.thickness_nm=30,40", "--plot", "{o}/nodir/p.png"], "nodir"),
    ("optimize --maxiter", ["optimize", "--vary", "QD.thickness_nm=30:40:1", "--maxiter", "0"], "--maxiter"),
    ("optimize --popsize", ["optimize", "--vary", "QD.thickness_nm=30:40:1", "--popsize", "-1"], "--popsize"),
    ("optimize --target", ["optimize", "--vary", "QD.thickness_nm=30:40:1", "--target", "bogus"], "bogus"),
    ("optimize --seed", ["optimize", "--vary", "QD.thickness_nm=30:40:1", "--seed", "-5"], "--seed"),
    ("optimize --workers huge", ["optimize", "--vary", "QD.thickness_nm=30:40:1", "--workers", "100000"], "--workers"),
    ("optimize step tiny", ["optimize", "--vary", "QD.thickness_nm=30:40:1e-12"], "1e+13 points"),
    ("reproduce --out missing dir", ["reproduce", "--out", "{o}/nodir/report", "--json"], "nodir"),
]
CASES = [
    *_STACK_CASES,
    *_RECIPE_CASES,
    *_FILE_ODDITIES,
    *_SYNTHESIZE,
    *_DOTS,
    *_BIND,
    *_OPTICS,
    *_DEVICE,
    *_ANALYZE,
    *_SWEEP,
]


def _expand(args: list[str], files: Path, workdir: Path) -> list[str]:
    return [a.replace("{f}", str(files)).replace("{o}", str(workdir)) for a in args]


@pytest.mark.parametrize(("args", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(args, needle, files, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _listing(files)
    code, out, err = _run_inprocess(_expand(args, files, tmp_path), capsys, monkeypatch)
    _check(code, out, err, needle)
    assert _listing(tmp_path) == [], "a refused command wrote files"
    assert _listing(files) == before


def test_reproduce_into_a_file_is_refused(files, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("keep me\n")
    code, out, err = _run_inprocess(["reproduce", "--out", str(tmp_path / "afile")], capsys, monkeypatch)
    _check(code, out, err, "afile")
    assert (tmp_path / "afile").read_text() == "keep me\n" and _listing(tmp_path) == ["afile"]


def test_an_existing_output_is_never_overwritten(files, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kU.png").write_text("mine\n")
    code, out, err = _run_inprocess(["optics", "--plot", str(tmp_path / "kU.png")], capsys, monkeypatch)
    _check(code, out, err, "--force")
    assert (tmp_path / "kU.png").read_text() == "mine\n"


def test_unparsable_option_value_is_clicks_usage_error(capsys, monkeypatch):
    """click's own Usage/Try/Error block (exit 2) is the accepted form for a value that is not a number."""
    code, out, err = _run_inprocess(["synthesize", "--bins", "many"], capsys, monkeypatch)
    assert code == 2 and "Invalid value for '--bins'" in err and "Traceback" not in err


def test_no_dots_from_a_trace_of_lead_names_the_amount(files, tmp_path, capsys, monkeypatch):
    """A valid but hopeless recipe (1e-9 g PbI2) runs the model, which refuses naming the amount."""
    recipe = tmp_path / "trace.toml"
    recipe.write_text(_recipe("precursors", "PbI2_g", "1e-9"), encoding="utf-8")
    code, out, err = _run_inprocess(["synthesize", str(recipe), "--bins", "50", "--json"], capsys, monkeypatch)
    _check(code, out, err, "Pb 2.17e-09 mmol")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["validate", "stack", "{f}/s_utf16_garbage.toml"], "s_utf16_garbage.toml"),
        (["sweep", "--vary", "QD.thickness_nm=10:60:1e-9", "--out", "{o}/nodir/s.nc"], "nodir"),
        (["analyze", "tem", "{f}/d_not_an_image.png", "--nm-per-pixel", "0.1"], "d_not_an_image.png"),
    ],
    ids=["validate utf16 garbage", "sweep missing dir", "analyze tem not an image"],
)
def test_bad_input_through_the_installed_command(args, needle, files, tmp_path):
    """The same contract as a user sees it: a fresh interpreter, real stdout/stderr (not a terminal)."""
    proc = subprocess.run(
        [sys.executable, "-m", "qdled.cli.main", *_expand(args, files, tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    _check(proc.returncode, proc.stdout, proc.stderr, needle)
    assert _listing(tmp_path) == []


def test_ctrl_c_exits_130_with_one_line(tmp_path, capsys, monkeypatch):
    """Ctrl-C inside a command: typer turns it into an exit code that used to be dropped (exit 0, silent)."""
    import qdled.io.stack

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(qdled.io.stack, "load_stack", interrupted)
    code, out, err = _run_inprocess(["validate", "stack", "li2024"], capsys, monkeypatch)
    assert code == 130 and out == "" and err.splitlines() == [err.strip()] and "interrupted" in err
    assert "Traceback" not in err


def _api_cases():
    """(id, call, text the InputError must contain): the same bounds at the Python API's edge."""
    from qdled.io.atomic import atomic_path, check_new_file, write_text_atomic
    from qdled.io.recipe import load_recipe
    from qdled.io.stack import default_stack
    from qdled.sweep.design import Axis, grid_design, latin_hypercube_design, parse_vary, random_design
    from qdled.synthesis import SynthesisParameters, simulate

    big = Axis("a", tuple(float(i) for i in range(2000)))
    return [
        ("write into a missing directory", lambda d: write_text_atomic(d / "no" / "x.txt", "x"), "no"),
        ("atomic path through a file", lambda d: atomic_path(d / "f.txt" / "x.png").__enter__(), "not a directory"),
        ("new file is a directory", lambda d: check_new_file(d), "is a directory"),
        ("vary step 1e-9", lambda d: parse_vary("QD.thickness_nm=10:60:1e-9"), "5e+10 points"),
        ("grid product", lambda d: grid_design([big, big, Axis("b", (1.0,))]), "4e+06 points"),
        ("random samples", lambda d: random_design([big], 10**9), "1e+09 points"),
        ("lhs seed", lambda d: latin_hypercube_design([big], 3, seed=-1), "seed"),
        ("stack thickness", lambda d: default_stack().with_values({"QD.thickness_nm": 2e4}), "10000"),
        ("stack index", lambda d: default_stack().with_values({"QD.n": 11.0, "QD.k": 0.1}), "QD"),
        ("recipe NSA dose", lambda d: load_recipe().with_values({"nsa.amount_mmol": 1e6}), "nsa.amount_mmol"),
        ("recipe boolean", lambda d: load_recipe().with_values({"injection.growth_time_s": True}), "growth_time_s"),
        ("simulate NSA override", lambda d: simulate("li2024-control", nsa_mmol=1e6, n_bins=50), "nsa_mmol"),
        ("simulate bins", lambda d: simulate("li2024-control", n_bins=0), "n_bins"),
        ("synthesis parameter", lambda d: SynthesisParameters().with_values(strip_fraction=2.0), "strip_fraction"),
        ("synthesis nan", lambda d: SynthesisParameters(cooling_time_constant_s=float("nan")), "cooling_time"),
    ]


@pytest.mark.parametrize("index", range(len(_api_cases())), ids=[c[0] for c in _api_cases()])
def test_api_edge_refuses_with_input_error(index, tmp_path):
    from qdled.errors import InputError

    (tmp_path / "f.txt").write_text("a file\n")
    _, call, needle = _api_cases()[index]
    with pytest.raises(InputError) as info:
        call(tmp_path)
    assert needle in str(info.value) and "\n" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]
