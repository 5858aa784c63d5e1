"""Far field and colour vs angle."""

import numpy as np
import pytest

from qdled.io.stack import default_stack, stack_from_dict
from qdled.optics import stack_emission
from qdled.optics.farfield import cie_xy_vs_angle, far_field


def test_far_field_integrates_to_the_outcoupled_channel():
    # The hemisphere integral of the radiant intensity must return the outcoupled power
    # computed by the u quadrature (2000 angles: trapezoid error < 1e-4).
    stack = default_stack()
    ff = far_field(stack, [628.0], np.linspace(0, 89.95, 2000))
    em = stack_emission(stack, [628.0])
    h = stack.emitter.horizontal_fraction
    out = h * em.power["h"]["outcoupled"] + (1 - h) * em.power["v"]["outcoupled"]
    assert ff.outcoupled()[0] == pytest.approx(out[0], abs=1e-4)
    from qdled.optics.plots import plot_far_field

    fig = plot_far_field(ff.angle_deg, ff.intensity_s[0], ff.intensity_p[0])
    assert len(fig.axes[0].lines) == 4


def test_isotropic_emitter_in_glass_follows_fresnel_and_etendue():
    # Reference: isotropic (h = 2/3) dipoles in an unbounded glass emit 1/(4 pi) per sr,
    # unpolarised; through the glass/air interface (no stack reflection) radiance
    # conservation gives I_air = (T_s + T_p)/2 / (4 pi) * (n_air/n_g)^2 cos(t_a) / cos(t_g)
    # (Fresnel transmittances, Born & Wolf sec. 1.5).
    ng = 1.5
    stack = stack_from_dict(
        {
            "substrate": {"n": ng},
            "outside": "air",
            "top": {"n": ng},
            "layers": [{"name": "E", "n": ng, "thickness_nm": 50.0, "emitter": True}],
            "emitter": {"position": 0.5},
        }
    )
    ang = np.array([0.0, 20.0, 45.0, 70.0])
    ff = far_field(stack, [600.0], ang)
    ta = np.radians(np.maximum(ang, 1e-3))
    tg = np.arcsin(np.sin(ta) / ng)
    ca, cg = np.cos(ta), np.cos(tg)
    ts = 1 - ((ng * cg - ca) / (ng * cg + ca)) ** 2
    tp = 1 - ((cg - ng * ca) / (cg + ng * ca)) ** 2
    expected = 0.5 * (ts + tp) / (4 * np.pi) * ca / (ng**2 * cg)
    np.testing.assert_allclose(ff.intensity[0], expected, rtol=1e-6)
    # unpolarised in glass -> s/p split is set by the Fresnel transmittances alone
    np.testing.assert_allclose(ff.intensity_s[0] / ff.intensity_p[0], ts / tp, rtol=1e-6)


def test_cie_xy_is_red_and_angle_stable():
    # Li et al. 2024 report CIE (0.691, 0.308) for the EL; a 623 nm Gaussian PL through the
    # cavity must stay deep red (x > 0.66) and shift little with angle (weak cavity).
    from qdled.spectral import Spectrum

    wl = np.linspace(590.0, 660.0, 15)
    s = np.exp(-0.5 * ((wl - 623.0) / 13.6) ** 2)
    ang, xy = cie_xy_vs_angle(default_stack(), Spectrum(wl, s), [0.0, 40.0, 70.0])
    assert np.all(xy[:, 0] > 0.66)
    assert np.ptp(xy[:, 0]) < 0.02


def test_angular_intensity_matches_independent_far_field_code():
    # Reference: PyRAMIDS radiation pattern (independent Green-function far field, see the fixture's
    # "source") of random stacks into their substrate half-space. Here the thick substrate is index-matched
    # to the outside medium, so the intensity outside equals the pattern in a semi-infinite substrate.
    # In-plane dipoles: the azimuthal mean of an x-dipole at 0 and 90 deg. Measured agreement ~1e-9;
    # tolerance 1e-6 relative.
    import json
    from pathlib import Path

    here = Path(__file__).parent / "fixtures"
    stacks = json.loads((here / "pyramids_random_stacks.json").read_text())["cases"]
    for a in json.loads((here / "pyramids_random_angular.json").read_text())["cases"]:
        c = stacks[a["i"]]
        layers = [
            {"name": f"L{j}", "n": n, "k": k, "thickness_nm": d}
            for j, ((n, k), d) in enumerate(zip(c["n_layers"], c["d"], strict=False))
        ]
        layers[c["e"]]["emitter"] = True
        stack = stack_from_dict(
            {
                "substrate": {"n": c["nsub"]},
                "outside": {"n": c["nsub"]},
                "top": {"n": c["ntop"][0]},
                "layers": layers,
                "emitter": {"position": c["z"] / c["d"][c["e"]]},
            }
        )
        n_e = c["n_layers"][c["e"]][0]
        ang = np.array(a["theta_substrate_deg"])
        horizontal = far_field(stack, [c["wl"]], ang, horizontal_fraction=1.0).intensity[0]
        vertical = far_field(stack, [c["wl"]], ang, horizontal_fraction=0.0).intensity[0]
        np.testing.assert_allclose(horizontal, (np.array(a["x0"]) + np.array(a["x90"])) / 2 / n_e, rtol=1e-6)
        np.testing.assert_allclose(vertical, np.array(a["z"]) / n_e, rtol=1e-6)
