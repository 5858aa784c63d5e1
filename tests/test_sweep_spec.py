"""qdled.sweep.make_spec: every check on a sweep's inputs is made in the API, before a worker starts."""

import pytest

from qdled.errors import InputError
from qdled.io.paper import paper_value
from qdled.sweep import make_spec


def test_stack_spec_defaults():
    spec = make_spec(["QD.thickness_nm=20:40:10"])
    assert spec.kind == "stack" and spec.design == "grid" and len(spec.points()) == 3
    assert spec.options["wavelength_nm"] == paper_value("nsa_pf6.el_peak_nm")
    assert spec.targets == ("eqe_ceiling", "outcoupled")


def test_recipe_spec():
    spec = make_spec(["nsa.amount_mmol=0.2,0.6"], recipe="li2024-nsa-pf6", design="lhs", samples=4)
    assert spec.kind == "recipe" and spec.n_samples == 4 and spec.targets[0] == "pl_peak_nm"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"design": "sobol"}, "^design must be"),
        ({"chunk": 0}, "^chunk must be"),
        ({"samples": 5}, "^samples is for design random or lhs"),
        ({"vary": ["QD.thickness_nm=20:40:10", "QD.thickness_nm=1,2"]}, "^vary: each key may appear once"),
        ({"recipe": "li2024-nsa-pf6", "stack_file": "x.toml"}, "^recipe: give a stack file or a recipe"),
        ({"wavelength_nm": -5.0}, "^wavelength_nm must be"),
        ({"target": ["nope"]}, "unknown --target"),
        ({"vary": ["QD.thickness_nm=-10:40:10"]}, "thickness"),
    ],
)
def test_bad_inputs_are_refused_naming_the_argument(kwargs, match):
    args = {"vary": ["QD.thickness_nm=20:40:10"], **kwargs}
    with pytest.raises(InputError, match=match):
        make_spec(args.pop("vary"), **args)


def test_workers_checked_by_the_executor():
    from qdled.sweep.executors import make_executor

    with pytest.raises(InputError, match="^workers must be >= 1"):
        make_executor(None, 0)
