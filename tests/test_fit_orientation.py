"""Orientation fit: the prism forward model against the closed-form dipole-near-interface far field, and
recovery / interval coverage of the horizontal fraction on synthetic counts.

Closed form (written here from textbook equations, not from qdled): by reciprocity the radiant intensity of a
dipole p at r0 into direction theta_2 of medium 2 is ``(3 / 8 pi) (n_2 / n_e) |p . E(r0)|^2`` per unit power of
the same dipole in its own infinite medium n_e, with E(r0) the field at the dipole of a unit plane wave
arriving from that direction (Novotny & Hecht, Principles of Nano-Optics, 2nd ed., sec. 10.6 and eq. 10.26);
for a dipole at height z0 in medium 1 above medium 2 the field is the Fresnel-transmitted wave,
``t_p = 2 n2 cos th2 / (n1 cos th2 + n2 cos th1)`` with components ``(cos th1, sin th1)`` and the phase/decay
``exp(i k0 n1 cos th1 z0)`` (evanescent beyond the critical angle: "forbidden light", Lukosz & Kunz,
J. Opt. Soc. Am. 67, 1607 (1977)). In a film of index n_f much thinner than the wavelength the tangential E
is continuous and the normal component scales by ``(n1/n_f)^2`` (Lukosz, J. Opt. Soc. Am. 71, 744 (1981)).
"""

import numpy as np
import pytest

from qdled.fit import film_on_glass, fit_orientation, substrate_intensity
from qdled.io.stack import stack_from_dict

N_GLASS = 1.5
WL = 600.0
ANGLES = np.array([5.0, 20.0, 35.0, 41.0, 43.0, 50.0, 60.0, 70.0, 80.0, 88.0])


def lukosz_closed_form(n1, n_film, n2, angle_deg, wavelength_nm, z0_nm=0.0):
    """(I_v, I_hp, I_hs) in glass per steradian per free-dipole power, dipole in a film n_film in medium n1."""
    th2 = np.radians(angle_deg)
    s1 = n2 * np.sin(th2) / n1
    c1 = np.sqrt((1 - s1**2).astype(complex))
    c1 = np.where(c1.imag < 0, -c1, c1)
    c2 = np.cos(th2)
    t_p = 2 * n2 * c2 / (n1 * c2 + n2 * c1)
    t_s = 2 * n2 * c2 / (n2 * c2 + n1 * c1)
    decay = np.abs(np.exp(1j * 2 * np.pi / wavelength_nm * n1 * c1 * z0_nm)) ** 2
    pre = 3 / (8 * np.pi) * n2 / n_film * decay
    e_z = t_p * s1 * (n1 / n_film) ** 2
    e_x = t_p * c1
    return pre * np.abs(e_z) ** 2, pre * 0.5 * np.abs(e_x) ** 2, pre * 0.5 * np.abs(t_s) ** 2


def _film(n_film, thickness_nm):
    return stack_from_dict(
        {
            "substrate": {"n": N_GLASS, "coherent": True},
            "top": {"n": 1.0},
            "layers": [{"name": "E", "n": n_film, "thickness_nm": thickness_nm, "emitter": True}],
            "emitter": {"position": 0.5},
        }
    )


def test_prism_intensity_matches_dipole_above_interface_closed_form():
    # film index = cover index: exactly a dipole at z0 = d/2 in air above glass, including the evanescent
    # (forbidden-light) range beyond 41.8 deg; only round-off separates the two
    d = 2.0
    si = substrate_intensity(_film(1.0, d), WL, ANGLES)
    v, hp, hs = lukosz_closed_form(1.0, 1.0, N_GLASS, ANGLES, WL, z0_nm=d / 2)
    for key, ref in (("v", v), ("hp", hp), ("hs", hs)):
        np.testing.assert_allclose(si.component[key][0, 0], ref, rtol=1e-9, err_msg=key)


def test_prism_intensity_tends_to_lukosz_thin_film_limit():
    # n_f = 1.7 film on glass under air: the closed form is the d -> 0 limit, the model's deviation must be
    # first order in d (k0 n_f d = 2e-3 at 0.1 nm, the thinnest layer a stack accepts); 0.5 % bounds the
    # observed 0.37 %
    v, hp, hs = lukosz_closed_form(1.0, 1.7, N_GLASS, ANGLES, WL)
    errors = []
    for d in (0.4, 0.1):
        si = substrate_intensity(_film(1.7, d), WL, ANGLES)
        err = max(np.max(np.abs(si.component[k][0, 0] / ref - 1)) for k, ref in (("v", v), ("hp", hp), ("hs", hs)))
        errors.append(err)
    assert errors[1] < 5e-3
    assert 3.0 < errors[0] / errors[1] < 5.0  # linear convergence: 4x smaller for a 4x thinner film


def test_substrate_intensity_refuses_incoherent_substrate():
    from qdled.errors import InputError
    from qdled.io.stack import default_stack

    with pytest.raises(InputError, match="coherent"):
        substrate_intensity(default_stack(), WL, ANGLES)


@pytest.mark.parametrize("h_published", [2 / 3, 0.86])
def test_fit_recovers_published_orientations_from_closed_form_data(h_published):
    # Data from the textbook closed form (not from qdled) for a 1 nm film of n = 1.8: isotropic cubes are
    # reported at 0.67 and self-assembled CsPbBr3 nanowires at 0.86 (Dudala et al., abstract read at
    # https://www.synapsesocial.com/papers/6a1d218f02fbce91306377f2). The thin-film model error is < 1 %
    # of the intensities (previous test), which shifts h by < 0.01.
    ang = np.arange(0.0, 88.0, 1.0)
    v, hp, _ = lukosz_closed_form(1.0, 1.8, N_GLASS, ang, 630.0)
    y = h_published * hp + (1 - h_published) * v
    res = fit_orientation(ang, 1e4 * y / y.max(), _film(1.8, 1.0), 630.0)
    assert res["horizontal_fraction"].value == pytest.approx(h_published, abs=0.01)
    assert res.converged and not res.degenerate


def _coverage(n_seeds, h_true=0.75, peak_counts=3000):
    stack = film_on_glass(thickness_nm=20.0)
    ang = np.arange(0.0, 86.0, 1.0)
    lam = substrate_intensity(stack, 630.0, ang).p(h_true)[0]
    lam = peak_counts * lam / lam.max()
    hits, values = 0, []
    for seed in range(n_seeds):
        counts = np.random.default_rng(seed).poisson(lam).astype(float)
        e = fit_orientation(ang, counts, stack, 630.0, sigma="poisson")["horizontal_fraction"]
        hits += e.ci95[0] <= h_true <= e.ci95[1]
        values.append(e.value)
    return hits, np.array(values)


def test_orientation_recovered_with_95_percent_intervals_20_seeds():
    # Poisson counts (peak 3000) from the forward model at h = 0.75. With true 95 % coverage the number of
    # intervals containing the truth out of 20 is Binomial(20, 0.95): P(<= 15) = 0.3 %, so >= 16 is required.
    hits, values = _coverage(20)
    assert hits >= 16
    assert abs(values.mean() - 0.75) < 0.01  # no bias beyond ~3 standard errors of the mean


@pytest.mark.slow
def test_orientation_interval_coverage_400_seeds():
    # Binomial(400, 0.95): mean 380, sd 4.4; [368, 392] is +-2.75 sd
    hits, _ = _coverage(400)
    assert 368 <= hits <= 392


def test_orientation_fit_reports_json_ready_fields():
    ang = np.arange(0.0, 86.0, 2.0)
    stack = film_on_glass()
    y = substrate_intensity(stack, 630.0, ang).p(0.7)[0]
    d = fit_orientation(ang, y * (1 + 0.01 * np.random.default_rng(1).standard_normal(ang.size)), stack, 630.0)
    out = d.to_dict()
    for key in ("parameters", "correlations_above_0.9", "reduced_chi_square", "converged", "degenerate"):
        assert key in out
    assert set(out["parameters"]["horizontal_fraction"]) >= {"value", "stderr", "ci95", "degenerate"}


def test_orientation_without_beyond_critical_angles_is_weak():
    # below the glass/air critical angle (41.8 deg) only a weak p signal of vertical dipoles exists
    # (Frischeisen et al., Appl. Phys. Lett. 96, 073302 (2010)): the interval must be much wider than with
    # the full angle range, at the same relative noise
    stack = film_on_glass()
    rng = np.random.default_rng(3)
    widths = []
    for top in (40.0, 86.0):
        ang = np.arange(0.0, top, 1.0)
        y = substrate_intensity(stack, 630.0, ang).p(0.75)[0]
        y = y * (1 + 0.02 * rng.standard_normal(ang.size))
        e = fit_orientation(ang, y, stack, 630.0)["horizontal_fraction"]
        widths.append(e.stderr)
    assert widths[0] > 3 * widths[1]
