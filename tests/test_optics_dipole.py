"""Dipole emission K(u) and Purcell factors against analytic limits."""

import numpy as np
import pytest

from qdled.io.stack import stack_from_dict
from qdled.optics import stack_emission
from qdled.optics.channels import emission
from qdled.optics.dipole import dipole_fields, make_geometry
from qdled.optics.tmm import net_flux


def _uniform_stack(position="uniform", n=1.7):
    return stack_from_dict(
        {
            "substrate": {"n": n, "coherent": True},
            "top": {"n": n},
            "layers": [
                {"name": "A", "n": n, "thickness_nm": 80.0},
                {"name": "E", "n": n, "thickness_nm": 40.0, "emitter": True},
                {"name": "B", "n": n, "thickness_nm": 120.0},
            ],
            "emitter": {"position": position},
        }
    )


@pytest.mark.parametrize("position", [0.0, 0.3, "uniform"])
def test_homogeneous_medium_purcell_is_one(position):
    # Reference: a dipole in an infinite homogeneous medium radiates exactly its free power
    # (Purcell factor 1 by definition of the normalisation); tolerance 1e-4 as specified.
    em = stack_emission(_uniform_stack(position), [500.0, 628.0])
    for o in ("v", "h"):
        np.testing.assert_allclose(em.purcell[o], 1.0, atol=1e-4)
        # half of the power goes into the coherent substrate ("outcoupled"), half to the top
        np.testing.assert_allclose(em.power[o]["outcoupled"], 0.5, atol=1e-4)
        np.testing.assert_allclose(em.power[o]["top"], 0.5, atol=1e-4)


def _mirror(distance_nm, n=1.5, n_mirror=1e6j, wavelength_nm=600.0):
    # dipole at distance_nm below a near-perfect conductor (eps = -1e12): |r_p - 1|, |r_s + 1| ~ 1e-6
    geom = make_geometry(np.array([[n]]), [distance_nm + 100.0], 0, n, n_mirror, [wavelength_nm])
    return emission(geom, [100.0], substrate_coherent=True, tol=1e-6)


@pytest.mark.parametrize("distance_nm", [10.0, 37.0, 120.0, 260.0, 500.0])
def test_perfect_mirror_matches_cps_closed_form(distance_nm):
    # Reference: Chance, Prock & Silbey, Adv. Chem. Phys. 37, 1 (1978) / Drexhage: a dipole at
    # distance d from a perfect mirror, x = 2 k d (k in the medium):
    #   F_perp = 1 + 3 (sin x / x^3 - cos x / x^2)
    #   F_par  = 1 - 3/2 (sin x / x + cos x / x^2 - sin x / x^3)
    # Tolerance 1e-3 as specified (measured agreement ~1e-5 with eps = -1e12).
    em = _mirror(distance_nm)
    x = 2 * 2 * np.pi * 1.5 / 600.0 * distance_nm
    f_perp = 1 + 3 * (np.sin(x) / x**3 - np.cos(x) / x**2)
    f_par = 1 - 1.5 * (np.sin(x) / x + np.cos(x) / x**2 - np.sin(x) / x**3)
    assert em.purcell["v"][0] == pytest.approx(f_perp, abs=1e-3)
    assert em.purcell["h"][0] == pytest.approx(f_par, abs=1e-3)


def test_near_field_quenching_approaches_quasi_static_limit():
    # Reference: quasi-static image-dipole limit (Ford & Weber, Phys. Rep. 113, 195 (1984),
    # sec. 4; Chance, Prock & Silbey 1978): for k d -> 0 next to an absorbing half-space,
    #   F_perp -> 3/8 Im[(e2 - e1)/(e2 + e1)] / (k1 d)^3,  F_par -> F_perp / 2.
    # The relative deviation is O((k d)^2): < 0.5 % at 1 nm and must shrink as d decreases.
    n, n_abs = 1.5, 1.0 + 2.0j
    rho = (n_abs**2 - n**2) / (n_abs**2 + n**2)
    ratios = []
    for d in (1.0, 2.0, 4.0):
        geom = make_geometry(np.array([[n]]), [d + 100.0], 0, n, n_abs, [600.0])
        em = emission(geom, [100.0], substrate_coherent=True)
        limit = 3 / 8 * rho.imag / (2 * np.pi * n / 600.0 * d) ** 3
        ratios.append((em.purcell["v"][0] / limit, em.purcell["h"][0] / (limit / 2)))
    ratios = np.array(ratios)
    assert np.all(np.abs(ratios[0] - 1) < 5e-3)
    assert np.all(np.diff(np.abs(ratios - 1), axis=0) > 0)


def test_cps_bracket_equals_poynting_flux_out_of_the_dipole_plane():
    # Energy conservation inside the lossless emitter layer: for propagating u the CPS power
    # K(u) must equal the net Poynting flux leaving the dipole plane up and down (computed
    # from the transfer-matrix amplitudes), normalised by the free dipole's flux.
    geom = make_geometry(
        np.array([[1.45 + 0.01j, 1.9, 1.6, 0.9 + 6j]]), [100.0, 30.0, 40.0, 80.0], 1, 1.52, 1.0, [620.0]
    )
    u = np.linspace(0.01, 0.99, 50)[None, :]
    z = np.array([5.0, 17.0])
    f = dipole_fields(geom, u, z)
    ne = geom.n_emitter[:, None, None]
    sz = np.sqrt(1 - u**2)[:, None, :]
    q = ne * sz
    k0ne = 2 * np.pi / 620.0 * ne
    for name, pol, sign, k_free in (
        ("v", "p", 1, 1.5 * u**3 / np.sqrt(1 - u**2)),
        ("hs", "s", 1, 0.75 * u / np.sqrt(1 - u**2)),
        ("hp", "p", -1, 0.75 * u * np.sqrt(1 - u**2)),
    ):
        a_b = f.bottom[pol].r[:, None, :] * np.exp(2j * k0ne * sz * z[None, :, None])
        a_t = f.top[pol].r[:, None, :] * np.exp(2j * k0ne * sz * (30.0 - z)[None, :, None])
        flux = np.abs(1 + sign * a_b) ** 2 * net_flux(pol, ne, q, a_t) + np.abs(1 + sign * a_t) ** 2 * net_flux(
            pol, ne, q, a_b
        )
        k_flux = k_free[:, None, :] * flux / (np.abs(1 - a_b * a_t) ** 2 * 2 * net_flux(pol, ne, q, 0.0))
        np.testing.assert_allclose(f.f[name].real, k_flux, rtol=1e-10)


def _amos_barnes_reference():
    import json
    from pathlib import Path

    return json.loads((Path(__file__).parent / "fixtures" / "pyramids_amos_barnes.json").read_text())


@pytest.mark.parametrize("case", ["silver_200nm", "silver_13nm"])
def test_dipole_near_silver_matches_independent_ldos_code(case):
    # Reference: PyRAMIDS (AMOLF; independent Green-function LDOS code following Amos & Barnes,
    # Phys. Rev. B 55, 7249 (1997)), run on the Amos-Barnes system (Eu3+ layer 2.6 nm, eps 2.49
    # spacer, silver with the paper's permittivities, glass; 614 nm); values and provenance in
    # fixtures/pyramids_amos_barnes.json. The low-loss 200 nm mirror with an air top makes
    # quasi-guided modes of width ~1e-4 in u inside the substrate light cone and a surface
    # plasmon beyond every dielectric light line: the quadrature must find both.
    # Tolerance 1e-5 relative: both codes integrate to ~1e-6; measured agreement ~1e-9.
    ref = _amos_barnes_reference()["cases"][case]
    n_e = np.sqrt(2.49)
    n_ag = np.sqrt(complex(*ref["silver_eps"]))
    for d, par, perp in zip(ref["spacer_nm"], ref["ldos_parallel"], ref["ldos_perpendicular"], strict=False):
        geom = make_geometry(np.array([[n_ag, n_e, n_e]]), [ref["silver_thickness_nm"], d, 2.6], 2, 1.456, 1.0, [614.0])
        em = emission(geom, [1.3], substrate_coherent=True, tol=1e-7)
        assert em.purcell["h"][0] == pytest.approx(par / n_e, rel=1e-5), d
        assert em.purcell["v"][0] == pytest.approx(perp / n_e, rel=1e-5), d


def test_unconverged_quadrature_warns():
    # a tolerance below what 64 panels can reach must not pass silently
    geom = make_geometry(np.array([[1.5 + 0.01j, 1.7, 1.6]]), [80.0, 30.0, 60.0], 1, 1.52, 0.5 + 3.0j, [628.0])
    with pytest.warns(RuntimeWarning, match="not converged"):
        emission(geom, [15.0], tol=1e-15)


def test_purcell_factors_of_random_stacks_match_independent_ldos_code():
    # Reference: PyRAMIDS LDOS (independent Green-function code, see the fixture's "source") for 40 random
    # stacks with metals, absorbing and lossless layers, metal or dielectric top media and both orientations.
    # Tolerance 1e-6 relative: both codes converge to ~1e-7 or better; measured agreement ~1e-9.
    import json
    from pathlib import Path

    ref = json.loads((Path(__file__).parent / "fixtures" / "pyramids_random_stacks.json").read_text())
    for c in ref["cases"]:
        n_layers = np.array([[complex(*x) for x in c["n_layers"]]])
        geom = make_geometry(n_layers, c["d"], c["e"], c["nsub"], complex(*c["ntop"]), [c["wl"]])
        em = emission(geom, [c["z"]], substrate_coherent=True, tol=1e-7)
        assert em.purcell["h"][0] == pytest.approx(c["par"], rel=1e-6), c
        assert em.purcell["v"][0] == pytest.approx(c["perp"], rel=1e-6), c


@pytest.mark.parametrize(
    "position_nm",
    [
        np.array([3.0, 17.0, 20.0]),  # irregular planes: one exponential per plane
        (np.arange(11) + 0.5) / 11 * 30.0,  # equal slices: the Horner recurrence
        np.array([[1.5, 4.5, 7.5, 10.5], [2.0, 6.0, 10.0, 14.0]]),  # one set of planes per row (stack axis)
    ],
)
def test_zone_average_equals_plane_by_plane_average(position_nm):
    # zone_fields uses that the mode denominator 1 - a_b a_t does not depend on the dipole plane, and
    # the emitter-layer flux balance for the up/down split; the reference is the plain average over
    # planes of dipole_fields (itself checked against CPS, PyRAMIDS and the Poynting flux above).
    # Rows are different stacks (per-row thicknesses). Tolerance: round-off (measured ~4e-15).
    from qdled.optics.dipole import zone_fields

    geom = make_geometry(
        np.array([[1.45 + 0.01j, 1.9, 1.6, 0.9 + 6j], [1.5, 2.0, 1.7, 1.2 + 5j]]),
        np.array([[100.0, 30.0, 40.0, 80.0], [90.0, 35.0, 20.0, 60.0]]),
        1,
        [1.52, 1.6],
        [1.0, 1.3],
        [620.0, 500.0],
    )
    w = np.random.default_rng(3).random(position_nm.shape[-1])
    u = np.stack([np.linspace(0.01, 0.99, 40), np.linspace(0.02, 0.98, 40)])
    planes = dipole_fields(geom, u, position_nm)
    zone = zone_fields(geom, u, position_nm, w, need_split=True)
    for c in ("v", "hs", "hp"):
        k = planes.f[c].real
        for got, ref in (
            (zone.f[c], np.einsum("p,wpu->wu", w, planes.f[c])),
            (zone.up[c], np.einsum("p,wpu->wu", w, k * planes.up[c])),
            (zone.down[c], np.einsum("p,wpu->wu", w, k * (1 - planes.up[c]))),
        ):
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12 * np.max(np.abs(ref)))
    deformed = u * (1 - 0.3j) * 3  # a deformed contour beyond the light lines (evanescent fields)
    planes = dipole_fields(geom, deformed, position_nm, need_split=False)
    zone = zone_fields(geom, deformed, position_nm, w)
    for c in ("v", "hs", "hp"):
        ref = np.einsum("p,wpu->wu", w, planes.f[c])
        np.testing.assert_allclose(zone.f[c], ref, rtol=0, atol=1e-12 * np.max(np.abs(ref)))
