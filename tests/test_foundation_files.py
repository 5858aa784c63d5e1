"""Stack and recipe files: round trips, the built-in defaults, one-line errors naming the field."""

import math
import subprocess
import sys
import tomllib

import numpy as np
import pytest
from typer.testing import CliRunner

from qdled.cli.main import app
from qdled.errors import InputError
from qdled.io.recipe import BUILTIN_RECIPES, load_recipe
from qdled.io.stack import default_stack, load_stack, stack_from_dict

runner = CliRunner()


def test_default_stack_is_the_papers_device():
    s = default_stack()
    assert [x.name for x in s.layers] == ["ITO", "PEDOT:PSS", "PTAA", "QD", "TmPyPB", "PO-T2T", "LiF", "Al"]
    # thicknesses given in the paper's Methods
    assert [s.layer(n).thickness_nm for n in ("TmPyPB", "PO-T2T", "LiF", "Al")] == [6, 37, 1, 60]
    assert s.layers[s.emitter_index].name == "QD"
    assert s.layer_indices(np.array([500.0, 628.0])).shape == (2, 8)


def test_stack_round_trip(tmp_path):
    s = default_stack().with_values({"QD.thickness_nm": 22.5, "PO-T2T.n": 1.81, "emitter.position": 0.25})
    p = tmp_path / "s.toml"
    p.write_text(s.to_toml())
    assert load_stack(p) == s
    coherent = stack_from_dict(
        {
            "substrate": {"n": 1.5, "coherent": True},
            "top": {"n": 1.5},
            "layers": [{"name": "E", "n": 1.5, "thickness_nm": 10, "emitter": True}],
        }
    )
    assert stack_from_dict(tomllib.loads(coherent.to_toml())) == coherent
    assert coherent.substrate.coherent


def test_with_values_changes_only_what_is_named():
    s = default_stack()
    t = s.with_values({"PO-T2T.n": 1.9})
    assert t.layer("PO-T2T").index(628.0) == pytest.approx(1.9)
    assert t.layer("QD") == s.layer("QD")
    with pytest.raises(InputError, match="Nope"):
        s.with_values({"Nope.thickness_nm": 3})
    with pytest.raises(InputError, match="thickness_nm"):
        s.with_values({"QD.thickness_nm": -3})


def test_recipes_round_trip(tmp_path):
    for name in BUILTIN_RECIPES:
        r = load_recipe(name)
        p = tmp_path / f"{name}.toml"
        p.write_text(r.to_toml())
        assert load_recipe(p) == r
    ctrl, nsa = load_recipe("li2024-control"), load_recipe("li2024-nsa-pf6")
    assert ctrl.nsa.amount_mmol == 0 and ctrl.purification.route == "OA/OAm"
    assert nsa.nsa.amount_mmol == 0.6 and nsa.purification.route == "NH4PF6"
    # Cs is limiting: 0.142 g Cs2CO3 (325.82 g/mol, 2 Cs) x 2.4/11.6 mL of stock
    assert nsa.cs_mmol == pytest.approx(2 * 142 / 325.82 * 2.4 / 11.6, rel=1e-9)
    assert nsa.pb_mmol == pytest.approx(185 / 461.01, rel=1e-9)


BASE = default_stack().to_dict()


def _mutate(fn):
    d = tomllib.loads(default_stack().to_toml())
    fn(d)
    return d


BAD_STACKS = {
    "unknown key": (lambda d: d["layers"][0].update(colour="red"), "layers.0.colour"),
    "negative thickness": (lambda d: d["layers"][1].update(thickness_nm=-5.0), "layers.1.thickness_nm"),
    "unknown material": (lambda d: d["layers"][2].update(material="Unobtainium"), "Unobtainium"),
    "NaN": (lambda d: d["layers"][3].update(thickness_nm=math.nan), "layers.3.thickness_nm"),
    "no emitter": (lambda d: d["layers"][3].pop("emitter"), "exactly one layer"),
    "two emitters": (lambda d: d["layers"][4].update(emitter=True), "found 2"),
    "bad orientation": (lambda d: d["emitter"].update(horizontal_fraction=1.5), "emitter.horizontal_fraction"),
}


@pytest.mark.parametrize("case", sorted(BAD_STACKS))
def test_bad_stack_gives_one_line_error_naming_field(case, tmp_path):
    fn, needle = BAD_STACKS[case]
    d = _mutate(fn)
    p = tmp_path / "bad.toml"
    # NaN cannot be written by our TOML writer; write it by hand
    text = default_stack().to_toml() if case == "NaN" else None
    if case == "NaN":
        text = text.replace("thickness_nm = 35.0", "thickness_nm = nan")
        p.write_text(text)
    else:
        from qdled.io._toml import dumps

        p.write_text(dumps(d))
    with pytest.raises(InputError) as exc:
        load_stack(p)
    assert needle in str(exc.value) and "\n" not in str(exc.value)
    res = runner.invoke(app, ["validate", "stack", str(p)])
    assert res.exit_code != 0


@pytest.mark.parametrize(
    "edit, needle",
    [
        (("[nsa]", "[nsa]\nspeed = 3"), "nsa.speed"),
        (("amount_mmol = 0.6", "amount_mmol = -1.0"), "nsa.amount_mmol"),
        (('route = "NH4PF6"', 'route = "bleach"'), "purification.route"),
        (("temperature_C = 150.0", "temperature_C = nan"), "injection.temperature_C"),
    ],
)
def test_bad_recipe_named(edit, needle, tmp_path):
    text = load_recipe("li2024-nsa-pf6").to_toml().replace(*edit, 1)
    p = tmp_path / "r.toml"
    p.write_text(text)
    with pytest.raises(InputError, match=needle.replace(".", r"\.")):
        load_recipe(p)


def test_cli_error_is_one_line_exit_2(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(default_stack().to_toml().replace("thickness_nm = 60.0", "thickness_nm = -60.0"))
    proc = subprocess.run(
        [sys.executable, "-m", "qdled.cli.main", "validate", "stack", str(p)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "layers.7.thickness_nm" in lines[0] and "Traceback" not in proc.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "qdled.cli.main", "validate", "stack", str(tmp_path / "none.toml")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_cli_debug_shows_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "qdled.cli.main", "--debug", "validate", "stack", str(tmp_path / "x.toml")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_version_and_json(tmp_path):
    import json

    import qdled

    res = runner.invoke(app, ["--version"])
    assert qdled.__version__ in res.output
    p = tmp_path / "ok.toml"
    p.write_text(default_stack().to_toml())
    res = runner.invoke(app, ["validate", "stack", str(p), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["valid"] is True


def test_toml_writer_round_trips_control_characters_and_non_ascii_keys():
    # a description with a newline was written as invalid TOML (stack passed `validate`, then sweeps crashed)
    import tomllib

    from qdled.io._toml import dumps

    data = {"description": 'line 1\nline 2\t"quoted" \\ \x01 é', "clé": 1, "layers": [{"name": "Al", "n": 1.2}]}
    assert tomllib.loads(dumps(data)) == data


def test_varying_n_of_an_absorbing_material_needs_its_k():
    # "Al.n" alone made the cathode a transparent constant-index layer (k = 0) without a word
    from qdled.errors import InputError

    with pytest.raises(InputError, match="Al.k"):
        default_stack().with_values({"Al.n": 1.3})
    assert default_stack().with_values({"Al.n": 1.3, "Al.k": 7.0}).layer("Al").index(628.0) == pytest.approx(1.3 + 7j)


@pytest.mark.parametrize(
    "argv", [["optics", "--bogus"], ["dots", "--edge-nm", "abc"], ["validate", "stack"], ["nosuch"]]
)
def test_usage_errors_exit_2_through_the_real_entry_point(argv, monkeypatch, capsys):
    # typer vendors its own click: its usage errors were reported as "internal error" with exit 1
    import sys

    from qdled.cli.main import run

    monkeypatch.setattr(sys, "argv", ["qdled", *argv])
    with pytest.raises(SystemExit) as exc:
        run()
    assert exc.value.code == 2
    assert "internal error" not in capsys.readouterr().err
