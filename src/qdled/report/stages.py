"""The stages of ``qdled reproduce``, in the order data flows (each ``stage(ctx) -> StageOutput``).

binding -> synthesis -> dots -> optics -> device. Each stage reads what earlier stages left in
``ctx`` and adds its own results; rows compare a model number with the paper's and say whether the
model was fitted to it (``calibrated``) or not (``predicted``). The status is never typed here: it is
:func:`qdled.io.paper.status` of the row's paper key against the ``CALIBRATED`` provenance records of the
stage whose model produced the number (:func:`_row`). Numbers of the paper quoted in notes and figures are
read from :mod:`qdled.io.paper`.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from qdled.io.paper import Calibrated, paper_value, status
from qdled.report.pipeline import StageOutput
from qdled.report.table import Row, row

Stage = Callable[[dict[str, Any]], StageOutput]

#: The two batches/devices of the paper: report label, recipe, dots ligand set, device parameter set.
SAMPLES = {
    "nsa_pf6": {"label": "NSA-NH4PF6", "recipe": "li2024-nsa-pf6", "ligands": "NSA-NH4PF6", "device": "li2024-nsa-pf6"},
    "control": {"label": "OA/OAm", "recipe": "li2024-control", "ligands": "OA/OAm", "device": "li2024-control"},
}


def _row(key: str, quantity: str, model: float, records, model_name: str = "") -> Row:
    """A table row whose status follows from the provenance ``records`` in effect for the model number."""
    return row(key, quantity, model, status(key, records), model_name)


def _records(*mappings) -> list[Calibrated]:
    """The :class:`Calibrated` records of one or more ``CALIBRATED`` mappings."""
    return [r for m in mappings for r in m.values()]


def _fmt(key: str) -> str:
    """A paper value as quoted in a note (``%g`` of :func:`qdled.io.paper.paper_value`)."""
    return f"{paper_value(key):g}"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _vacuum_spread(run: dict | None) -> str:
    """'PF6 +0.37 eV, ...': E_bind(100 A vacuum) - E_bind(25 A) per ligand of a shipped slab run."""
    from qdled.binding.slab_engine import vacuum_drift_eV

    drifts = {name: vacuum_drift_eV(conv) for name, conv in ((run or {}).get("convergence") or {}).items()}
    return ", ".join(f"{name} {d:+.2f} eV" for name, d in drifts.items() if d is not None) or "not scanned"


def binding_stage(ctx: dict) -> StageOutput:
    """GFN2-xTB binding energies (shipped cache unless recomputed) against the paper's DFT."""
    from qdled.binding import binding_energies, paper_dft_eV
    from qdled.binding.slab_engine import shipped_slab_run, slab_binding_energies

    ligands = ("OAm", "NSA", "PF6")
    xtb = binding_energies(("OAm", "OA", "NSA", "PF6"), recompute=ctx["recompute_binding"])
    slab = slab_binding_energies(("OAm", "OA", "NSA", "PF6"))["binding_energies_eV"]
    run = shipped_slab_run()
    lower = sorted(n for n, r in run["results"].items() if not r.get("converged", True)) if run else []
    dft = paper_dft_eV()
    ctx["binding_eV_xtb"], ctx["binding_eV_slab"] = xtb, slab
    out = StageOutput()
    for lig in ligands:
        # nothing of qdled.binding is fitted: no records
        out.rows.append(_row(f"binding.{lig}_eV", f"binding energy {lig} on Pb", xtb[lig], (), "GFN2-xTB cluster"))
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.4, 3.6))
    x = np.arange(len(ligands))
    ax.bar(x - 0.27, [dft[k] for k in ligands], 0.27, label="paper (DFT)")
    ax.bar(x, [xtb[k] for k in ligands], 0.27, label="GFN2-xTB cluster")
    ax.bar(x + 0.27, [slab[k] for k in ligands], 0.27, label="GFN2-xTB slab (* lower bound)")
    for i, k in enumerate(ligands):
        if k in lower:
            ax.text(i + 0.27, slab[k] + 0.05, "*", ha="center")
    ax.set_xticks(x, ligands)
    ax.set_ylabel("binding energy (eV)")
    ax.legend(fontsize=7)
    ax.set_title("Ligand binding energies (paper Fig. 2a)")
    out.figures.append(
        (
            "binding",
            "Binding energies of OAm, NSA and PF6: GFN2-xTB on a cluster and on a periodic CsPbI3 (100) slab against "
            "the paper's DFT",
            fig,
        )
    )

    def diff(e, a, b):
        return e[a] - e[b]

    out.notes.append(
        "Binding energies with GFN2-xTB on a small CsPbI3 cluster (the table's rows) and on a periodic CsPbI3 (100) "
        "slab (qdled.binding.slab_engine; shipped, "
        + (f"relaxation not converged for {', '.join(lower)}: lower bounds" if lower else "all converged")
        + f"). Differences PF6 - NSA and NSA - OAm: DFT {diff(dft, 'PF6', 'NSA'):+.2f} / {diff(dft, 'NSA', 'OAm'):+.2f}"
        f" eV, cluster {diff(xtb, 'PF6', 'NSA'):+.2f} / {diff(xtb, 'NSA', 'OAm'):+.2f} eV, slab "
        f"{diff(slab, 'PF6', 'NSA'):+.2f} / {diff(slab, 'NSA', 'OAm'):+.2f} eV: neither xTB model reaches the paper's "
        "differences within 0.3 eV (the slab even puts NSA above PF6). The slab values also move with the vacuum "
        "(a defect of tblite's periodic electrostatics; " + _vacuum_spread(run) + " from 25 to 100 A). The synthesis "
        "and dots stages were calibrated with the paper's DFT values, so they are run with those; the xTB values are "
        "predictions shown for comparison."
    )
    return out


def dots_stage(ctx: dict) -> StageOutput:
    """Ensemble PL/absorption, PLQY, decay and ageing of both batches."""
    from qdled.dots import CALIBRATED, HANDOFF_GRID_NM, ageing, ensemble_absorption, pl_decay, summarize, synthesis_film
    from qdled.dots.validation import compare_sizing
    from qdled.synthesis import CALIBRATED as SYNTHESIS_CALIBRATED

    dots_records = _records(CALIBRATED)
    # the dots' sizes are the synthesis's: their PL peak is calibrated exactly where the synthesis was fitted to
    # it (the dots' edge offset maps only the paper's own TEM size to its PL peak)
    size_records = _records(SYNTHESIS_CALIBRATED)
    out = StageOutput()
    plt = _plt()
    fig_s, ax_s = plt.subplots(figsize=(5.6, 4))
    fig_d, ax_d = plt.subplots(figsize=(5.2, 3.8))
    fig_a, ax_a = plt.subplots(figsize=(5.2, 3.8))
    t_ns = np.linspace(0, 60, 601)
    days = np.linspace(0, 60, 121)
    ctx["pl"], ctx["film"] = {}, {}
    for key, sample in SAMPLES.items():
        edge, weight = ctx["size_distribution"][key]
        s = summarize(edge, weight, ligands=sample["ligands"])
        film = synthesis_film(ctx["synthesis"][key], ctx["route"][key])
        ctx["film"][key] = film
        # the film emission is what every later stage (and ``qdled device``, through chain_pl) uses
        ctx["pl"][key] = film.film_pl_on(HANDOFF_GRID_NM)
        ab = ensemble_absorption(edge, weight)
        out.rows += [
            _row(
                f"{key}.pl_peak_nm",
                f"PL peak, {sample['label']} QDs",
                s["pl_peak_nm"],
                size_records,
                "synthesis size -> kane EMA + ensemble",
            ),
            _row(f"{key}.pl_fwhm_nm", f"PL FWHM, {sample['label']} QDs", s["pl_fwhm_nm"], dots_records, "ensemble PL"),
            _row(
                f"{key}.tau_avg_ns",
                f"average PL lifetime, {sample['label']} film",
                s["tau_avg_ns"],
                dots_records,
                "k_r, k_nr(coverage)",
            ),
        ]
        if key == "nsa_pf6":
            out.rows.append(_row("nsa_pf6.plqy", "PLQY, NSA-NH4PF6 QDs", s["plqy"], dots_records, "k_r / (k_r + k_nr)"))
        sol = film.solution_pl
        ax_s.plot(sol.wavelength_nm, sol.intensity / sol.intensity.max(), label=f"PL {sample['label']}")
        ax_s.plot(ab.wavelength_nm, ab.intensity / ab.intensity.max(), "--", label=f"absorption {sample['label']}")
        dec = pl_decay(t_ns, edge, weight, ligands=sample["ligands"])
        ax_d.semilogy(
            t_ns, dec.intensity / dec.intensity.max(), label=f"{sample['label']}: <tau> = {s['tau_avg_ns']:.1f} ns"
        )
        age = ageing(days, sample["ligands"])
        ax_a.plot(days, age.plqy, label=sample["label"])
        ctx.setdefault("dots", {})[key] = s
    nsa_days, ctrl_days = paper_value("nsa_pf6.storage_days"), paper_value("control.storage_days")
    nsa_age = ageing(np.array([0.0, nsa_days]), "NSA-NH4PF6")
    ctrl_age = ageing(np.array([ctrl_days]), "OA/OAm")
    out.rows += [
        _row(
            "nsa_pf6.plqy_retained_day50",
            f"PLQY kept after {nsa_days:g} days, NSA-NH4PF6",
            nsa_age.plqy[1] / nsa_age.plqy[0],
            dots_records,
            "ligand desorption + trap creation",
        ),
        _row(
            "control.plqy_day25",
            f"PLQY after {ctrl_days:g} days, OA/OAm",
            ctrl_age.plqy[0],
            dots_records,
            "ligand desorption",
        ),
    ]
    ax_s.set_xlim(500, 720)
    ax_s.set_xlabel("wavelength (nm)")
    ax_s.set_ylabel("normalised")
    ax_s.legend(fontsize=8)
    ax_s.set_title("Absorption and PL of the two batches (paper Fig. 2b)")
    ax_d.set_xlabel("time (ns)")
    ax_d.set_ylabel("PL (normalised)")
    ax_d.set_ylim(1e-3, 1.2)
    ax_d.legend(fontsize=8)
    ax_d.set_title("TRPL (paper Fig. 2c)")
    ax_a.set_xlabel("storage time (days)")
    ax_a.set_ylabel("PLQY")
    ax_a.legend()
    ax_a.set_title("Ageing in air (paper Fig. 2d)")
    out.figures += [
        ("spectra", "Model absorption and PL spectra of NSA-NH4PF6 and OA/OAm QDs", fig_s),
        ("trpl", "Model PL decays (ensemble, coverage-dependent trapping)", fig_d),
        ("ageing", "Model PLQY against storage time (ligand desorption, trap creation)", fig_a),
    ]
    sizing = compare_sizing()
    if sizing.n_validation:
        out.notes.append(
            f"Dots: confinement model against {sizing.n_validation} independent CsPbI3 sizing points "
            f"(4-10 nm): RMS error {sizing.rms_validation_meV:.1f} meV (qdled/dots/data/cspbi3_sizing.csv)."
        )
    else:
        out.notes.append(
            "Dots: the size-to-energy model is not yet checked against independent CsPbI3 sizing data: "
            "none could be read with the project's offline sources (qdled/dots/data/cspbi3_sizing.csv "
            f"holds only the paper's own {_fmt('nsa_pf6.mean_edge_nm')} nm / {_fmt('nsa_pf6.pl_peak_nm')} nm "
            "calibration point)."
        )
    out.notes.append(
        "Dots: calibrated parameters (qdled.dots.CALIBRATED): "
        + "; ".join(f"{k} = {r.value:.4g} {r.unit} fitted to {r.targets}" for k, r in CALIBRATED.items())
    )
    return out


def optics_stage(ctx: dict) -> StageOutput:
    """Dipole emission in the paper's stack: K(u), loss channels, far field, thickness sweeps."""
    from qdled.io.stack import default_stack
    from qdled.optics import EL_PEAK_NM, el_spectrum, far_field
    from qdled.optics.plots import plot_far_field, plot_power_dissipation
    from qdled.optics.recycling import photon_recycling
    from qdled.optics.sweep import paper_sweeps

    stack = default_stack()
    ctx["stack"] = stack
    out = StageOutput()
    el = el_spectrum(stack, ctx["pl"]["nsa_pf6"])
    ctx["el_nsa"] = el
    plt = _plt()
    out.figures.append(
        (
            "power_dissipation",
            f"Power dissipation spectrum K(u) of the QD dipoles at {EL_PEAK_NM:g} nm (vertical, horizontal)",
            plot_power_dissipation(stack, EL_PEAK_NM),
        )
    )
    fig, ax = plt.subplots(figsize=(5.4, 3.6))
    names = list(el.fractions)
    vals = [float(el.fractions[n]) for n in names]
    ax.bar(names, vals, color="tab:red")
    for i, v in enumerate(vals):
        ax.text(i, v + 0.005, f"{v:.3f}", ha="center", fontsize=8)
    ax.set_ylabel("fraction of dissipated power")
    ax.set_title(f"Loss channels over the PL spectrum (eta_out = {el.eta_out:.3f})")
    out.figures.append(("channels", "Loss channels of the default stack, averaged over the model PL spectrum", fig))
    ff = far_field(stack, EL_PEAK_NM)
    out.figures.append(
        (
            "far_field",
            f"Angular radiant intensity in air at {EL_PEAK_NM:g} nm, s and p, with a Lambertian reference",
            plot_far_field(ff.angle_deg, np.ravel(ff.intensity_s), np.ravel(ff.intensity_p)),
        )
    )
    sweeps = paper_sweeps(stack, EL_PEAK_NM)
    fig, axes = plt.subplots(2, 2, figsize=(9, 7))
    for ax, (key, ds) in zip(axes.ravel(), sweeps.items(), strict=False):
        for var in ("outcoupled", "substrate", "waveguide", "plasmon"):
            ax.plot(ds[key].values, ds[var].values, label=var)
        ax.set_xlabel(key)
        ax.set_ylabel("fraction")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle("Mode distribution against layer thickness (paper Supplementary Figs. 11-14)")
    fig.tight_layout()
    out.figures.append(
        (
            "thickness_sweeps",
            "Outcoupled, substrate, waveguide and plasmon fractions against QD, TmPyPB, PO-T2T and PTAA thickness",
            fig,
        )
    )
    out.notes.append(
        f"Optics (nothing fitted): eta_out = {el.eta_out:.3f}, Purcell factor {el.purcell['mixed']:.3f}; channels "
        + ", ".join(f"{k} {float(v):.3f}" for k, v in el.fractions.items())
        + f". The cavity moves the EL peak to {el.el.peak_nm:.1f} nm from the film PL's {el.pl.peak_nm:.1f} nm."
    )
    film = ctx["film"]["nsa_pf6"]
    rec = photon_recycling(stack, ctx["pl"]["nsa_pf6"], film.film_plqy)
    out.notes.append(
        f"Reabsorption in the cavity (qdled.optics.recycling, the QD film's CsPbI3 index with the stack's in-stack "
        f"field; a prediction, not in the default chain): {rec.reabsorbed_fraction:.1%} of the emitted photons are "
        f"reabsorbed by the film, which lowers the first-pass outcoupling to {rec.eta_out_first_pass:.3f} from the "
        f"lossless film's {rec.eta_out_lossless:.3f}; re-emission (radiative efficiency "
        f"{rec.radiative_efficiency:.3f}) returns a factor {rec.recycling_gain:.3f}, net {rec.eta_out:.3f} "
        f"({rec.eta_out / rec.eta_out_lossless - 1:+.1%}), and the EL peak moves by {rec.el_shift_nm:+.2f} nm. The "
        "default chain keeps the lossless film (its calibration was made with it; set emitter.absorbing = true in a "
        "stack file to include the film's absorption)."
    )
    shares = ", ".join(f"{k.replace('_', ' ')} {v:+.2f} nm" for k, v in film.shift_nm.items())
    out.notes.append(
        f"Dots in a film (qdled.dots.film, nothing fitted to the EL): the solution PL of the chain's NSA-NH4PF6 dots "
        f"({film.solution_peak_nm:.1f} nm) moves to {film.film_peak_nm:.1f} nm in the close-packed film ({shares}; "
        f"Foerster radius {film.forster_radius_nm:.1f} nm at {film.centre_distance_nm:.1f} nm spacing, "
        f"{film.hops_per_exciton:.1f} hops per exciton), against the paper's "
        f"{paper_value('nsa_pf6.el_peak_nm') - paper_value('nsa_pf6.pl_peak_nm'):g} nm from solution PL to EL. "
        f"The film PL is what the optics and the device receive; the EL peak's remaining error is mostly the "
        f"synthesis's predicted size (solution PL {film.solution_peak_nm:.1f} nm against the paper's "
        f"{_fmt('nsa_pf6.pl_peak_nm')} nm)."
    )
    return out


def device_stage(ctx: dict) -> StageOutput:
    """J-V-L, EQE(J), EL colour and lifetime of both devices from the stack and the dots' film PL, by the
    drift-diffusion device coupled with the optics (as ``qdled device`` runs it)."""
    from dataclasses import replace

    from qdled.device import paper_comparison
    from qdled.device.chain import simulate_stack, simulate_stack_drift_diffusion, with_operational_lifetime
    from qdled.device.plots import plot_device

    out = StageOutput()
    sims, lives, compact = {}, {}, {}
    for key, sample in SAMPLES.items():
        sim = simulate_stack_drift_diffusion(ctx["stack"], sample["device"], ctx["pl"][key])
        compact[key] = simulate_stack(ctx["stack"], sample["device"], ctx["pl"][key])
        res, lives[key] = with_operational_lifetime(sim.result, ctx["stack"], sample["device"], compact[key])
        sim = replace(sim, result=res)
        sims[key] = sim
        comp = paper_comparison(
            sim.result, sim.params.lifetime_reference_cd_m2, sim.params.acceleration_exponent, lifetime=lives[key]
        )
        for q, c in comp.items():
            paper_key = f"{key}.{'t50_min' if q.startswith('t50_min') else q}"
            label = _DEVICE_LABELS.get(q) or "T50 at L0 = {} cd/m2".format(q.split("_at_")[1].split("_")[0])
            if c["model"] is None or not np.isfinite(c["model"]):  # e.g. a T50 at an L0 the device never reaches
                out.notes.append(
                    f"{label}, {sample['label']} LED (paper {c['paper']:g}): no model value. "
                    + (lives[key]["note"] if q.startswith("t50_min") else "")
                )
                continue
            out.rows.append(row(paper_key, f"{label}, {sample['label']} LED", c["model"], c["status"], "device chain"))
    plt = _plt()
    out.figures.append(
        (
            "device",
            "Energy levels, J-V-L, EQE-J and lifetime of the NSA-NH4PF6 and OA/OAm devices (paper Fig. 4a, d-f)",
            plot_device([s.result for s in sims.values()], [s.params for s in sims.values()]),
        )
    )
    out.figures.append(("lifetime", *_lifetime_figure(lives)))
    el = sims["nsa_pf6"].emission
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    film = ctx["film"]["nsa_pf6"]
    ax.plot(*film.solution_pl, ":", label=f"solution PL {film.solution_peak_nm:.1f} nm")
    ax.plot(*el.pl, "--", label=f"film PL {film.film_peak_nm:.1f} nm")
    ax.plot(*el.el, label=f"EL {el.el.peak_nm:.1f} nm")
    el_paper = paper_value("nsa_pf6.el_peak_nm")
    ax.axvline(el_paper, color="grey", ls=":", label=f"paper EL {el_paper:g} nm")
    ax.set_xlim(560.0, 720.0)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("normalised")
    ax.legend(fontsize=7, loc="upper right")
    shares = ", ".join(f"{k.replace('_', ' ')} {v:+.1f}" for k, v in film.shift_nm.items())
    ax.set_title(f"EL spectrum (paper Fig. 4b)\nsolution -> film: {shares} nm", fontsize=9)
    out.figures.append(
        (
            "el_spectrum",
            "Solution PL, film PL (with the red shift of each film mechanism) and cavity-filtered EL of the "
            "NSA-NH4PF6 device against the paper's EL peak",
            fig,
        )
    )
    out.figures.append(
        (
            "cie",
            f"CIE 1931 chromaticity of the model EL and the paper's ({_fmt('nsa_pf6.cie_x')}, {_fmt('nsa_pf6.cie_y')}) "
            "(paper Fig. 4c)",
            _cie_figure(sims["nsa_pf6"].result.cie_x, sims["nsa_pf6"].result.cie_y),
        )
    )
    res = sims["nsa_pf6"].result
    r = res.figures_of_merit()
    i_l = int(np.nanargmax(res.luminance_cd_m2))
    heating_K = float(sims["nsa_pf6"].dd.temperature_K[i_l] - sims["nsa_pf6"].dd.ambient_K)
    out.notes.append(
        f"Device (drift-diffusion, coupled both ways with the optics): turn-on {r['turn_on_voltage_V']:.2f} V, "
        f"peak current efficiency {r['max_current_efficiency_cd_A']:.1f} cd/A, "
        f"peak power efficacy {r['max_power_efficacy_lm_W']:.1f} lm/W (predictions, not stated in the paper's text). "
        "Calibrated device parameters (NSA-NH4PF6 device only, shared by both devices): "
        + "; ".join(f"{k} = {c['value']:.4g} {c['unit']} fitted to {c['targets']}" for k, c in r["calibrated"].items())
        + ". "
        f"The calibrated thermal resistance implies the device warms by {heating_K:.0f} K at the luminance maximum "
        f"({res.voltage_V[i_l]:.1f} V), so the luminance turnover is thermal; no temperature measurement exists to "
        "check this. The calibration ran on this same chain (default stack, the dots stage's film PL and PLQY), so "
        "the calibrated rows here and in `qdled device` are one computation."
    )
    _drift_diffusion(ctx, out, sims, {key: c.result.figures_of_merit() for key, c in compact.items()})
    return out


def _lifetime_figure(lives: dict):
    """L(t)/L0 of both devices from the degradation simulation at the paper's L0, with the paper's T50."""
    fig, ax = _plt().subplots(figsize=(5.2, 3.8))
    parts = []
    for key, life in lives.items():
        lp = life["paper"]
        curve = lp["curve"] or life["curve"]
        if curve is None:  # the model device does not reach the paper's L0: no ageing run
            ax.plot([lp["t50_min"]], [0.5], "s", mfc="none", label=f"paper T50 {lp['t50_min']:g} min ({key})")
            parts.append(
                f"{SAMPLES[key]['label']}: the model device's maximum {lp['max_luminance_cd_m2']:.3g} cd/m2 is below "
                f"the paper's L0 {lp['l0_cd_m2']:g} cd/m2, so no T50 is predicted"
            )
            continue
        line = ax.plot(curve["time_min"], curve["relative_luminance"], label=f"{SAMPLES[key]['label']}, model")[0]
        ax.plot(
            [lp["t50_min"]], [0.5], "s", mfc="none", color=line.get_color(), label=f"paper T50 {lp['t50_min']:g} min"
        )
        shares = ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in life["mechanism_shares"].items() if v)
        parts.append(
            f"{SAMPLES[key]['label']} at {lp['l0_cd_m2']:g} cd/m2: T50 {lp['model_t50_min']:.0f} min "
            f"({lp['status']}; {shares})"
        )
    ax.set_xscale("log")
    ax.set_xlabel("time at constant current (min)")
    ax.set_ylabel("L / L0")
    ax.axhline(0.5, color="grey", lw=0.5, ls=":")
    ax.legend(fontsize=7)
    ax.set_title("Operational ageing (paper Fig. 4f)")
    caption = (
        "L(t)/L0 at constant current from the degradation simulation (qdled.device.ageing: ligand desorption at the "
        "heated device temperature and Auger defect formation, one constant fitted on the NSA-NH4PF6 T50): "
        + "; ".join(parts)
    )
    return caption, fig


def _drift_diffusion(ctx: dict, out: StageOutput, sims: dict, comp: dict) -> None:
    """Figures and note of the drift-diffusion device: band diagram, densities and R(x) of the NSA-NH4PF6 device
    at its luminance maximum, its EQE and current against the PO-T2T thickness beside the optics-only
    outcoupling, and the compact surrogate's numbers (``comp``: figures of merit by sample) beside the solver's."""
    from qdled.device.dd.calibration import predictions
    from qdled.device.plots import plot_drift_diffusion

    nsa_dev = sims["nsa_pf6"]
    k = int(np.nanargmax(nsa_dev.result.luminance_cd_m2))
    v0 = float(nsa_dev.dd.voltage_V[k])
    out.figures.append(
        (
            "drift_diffusion",
            f"Drift-diffusion solution of the NSA-NH4PF6 device at its luminance maximum ({v0:.1f} V): bands and "
            "quasi-Fermi levels, carrier densities, recombination R(x) and photon generation",
            plot_drift_diffusion(nsa_dev.dd, v0),
        )
    )
    solved = {SAMPLES[key]["device"]: dev for key, dev in sims.items()}
    pred = predictions(ctx["stack"], solved=solved)
    fig, axes = _plt().subplots(2, 2, figsize=(8.4, 6.4))
    for ax, (layer, rows) in zip(axes.flat, pred["sweeps"].items(), strict=True):
        t = [row["thickness_nm"] for row in rows]
        ax.plot(t, [100 * row["peak_eqe"] for row in rows], "o-", label="peak EQE (drift-diffusion)")
        ax.plot(t, [100 * row["eta_out"] for row in rows], "s--", label="outcoupling of the zone (optics)")
        ax.axvline(ctx["stack"].layer(layer).thickness_nm, color="grey", lw=0.5, ls=":")
        ax.set_xlabel(f"{layer} thickness (nm)")
        ax.set_ylabel("%")
        ax2 = ax.twinx()
        ax2.semilogy(t, [row["max_luminance_cd_m2"] for row in rows], "k:", label="max luminance")
        ax2.set_ylabel("max luminance (cd m$^{-2}$) [dotted]", fontsize=8)
    axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.suptitle("Electrical and optical effects of each layer's thickness (NSA-NH4PF6 device)", fontsize=10)
    fig.tight_layout()
    out.figures.append(
        (
            "dd_thickness",
            "Drift-diffusion peak EQE and maximum luminance against the thickness of PO-T2T, TmPyPB, PTAA and the QD "
            "film (the default stack's value dotted), beside the outcoupling of the solved emission zone",
            fig,
        )
    )
    nsa, ctrl = pred["devices"]["li2024-nsa-pf6"], pred["devices"]["li2024-control"]
    out.notes.append(
        f"Drift-diffusion predictions: peak EQE {nsa['peak_eqe']:.1%} (NSA-NH4PF6) and {ctrl['peak_eqe']:.1%} "
        f"(OA/OAm) against the paper's {paper_value('nsa_pf6.peak_eqe'):.2%} and "
        f"{paper_value('control.peak_eqe'):.2%}; turn-on "
        f"{nsa['turn_on_voltage_V']:.2f} / {ctrl['turn_on_voltage_V']:.2f} V; emission zone "
        f"{nsa['emission_zone_in_qd_nm']:.1f} nm into the {ctx['stack'].layer('QD').thickness_nm:g} nm QD film from "
        f"PTAA (holes pile up at TmPyPB; the outcoupling of the solved zone is {nsa['eta_out']:.3f}, against "
        f"{nsa_dev.optics['eta_out'][0]:.3f} at the PTAA side and {nsa_dev.optics['eta_out'][-1]:.3f} at TmPyPB). "
        "The compact series model (the fast "
        f"surrogate, `qdled device --model compact`, fitted to this solver's luminance maximum and peak EQE of "
        "both devices) gives peak EQE "
        f"{comp['nsa_pf6']['peak_eqe']:.1%} / {comp['control']['peak_eqe']:.1%} and maximum luminance "
        f"{comp['nsa_pf6']['max_luminance_cd_m2']:.0f} / {comp['control']['max_luminance_cd_m2']:.0f} cd/m2."
    )


_DEVICE_LABELS = {
    "peak_eqe": "peak EQE",
    "max_luminance_cd_m2": "maximum luminance",
    "voltage_at_max_luminance_V": "voltage at maximum luminance",
    "el_peak_nm": "EL peak",
    "el_fwhm_nm": "EL FWHM",
    "cie_x": "CIE x",
    "cie_y": "CIE y",
}


def _cie_figure(x: float, y: float):
    import colour.plotting as cp

    from qdled.spectral import REC2020_RED_XY

    _plt()
    fig, ax = cp.plot_chromaticity_diagram_CIE1931(show=False, title="CIE 1931")
    ax.plot([x], [y], "o", color="black", label=f"model ({x:.3f}, {y:.3f})")
    px, py = paper_value("nsa_pf6.cie_x"), paper_value("nsa_pf6.cie_y")
    ax.plot([px], [py], "s", mfc="none", color="white", label=f"paper ({px:g}, {py:g})")
    ax.plot(*REC2020_RED_XY, "^", color="grey", label="Rec.2020 red")
    ax.legend(fontsize=8, loc="upper right")
    return fig


#: NSA doses [mmol] of the paper's dose series (Fig. 1d-f); 0 mmol is the OA/OAm recipe as synthesised.
NSA_DOSES_MMOL = (0.0, 0.2, 0.4, 0.6, 0.8)


def _dose_key(dose: float) -> str | None:
    """Paper key of the PL peak after synthesis at an NSA dose (None where the text gives no number)."""
    from qdled.io.paper import paper_values

    key = f"nsa_{dose:g}.pl_peak_nm"
    return key if key in paper_values() else None


def _key_dose(key: str) -> float:
    """The NSA dose [mmol] a dose-series paper key is about (``nsa_0.6.plqy`` -> 0.6)."""
    return float(re.match(r"nsa_([0-9.]*[0-9])\.", key).group(1))


def synthesis_stage(ctx: dict) -> StageOutput:
    """Population balance of both recipes and of the NSA dose series; sizes handed to the dots stage."""
    from qdled.dots import CALIBRATED as DOTS_CAL
    from qdled.dots import pl_peak_track_nm, plqy, size_distribution, summarize_synthesis
    from qdled.io.paper import paper_binding_energies_eV
    from qdled.io.recipe import load_recipe
    from qdled.synthesis import CALIBRATED, SynthesisParameters, simulate

    synthesis_records = _records(CALIBRATED)
    chain_records = _records(CALIBRATED, DOTS_CAL)  # synthesis sizes -> dots photophysics

    out = StageOutput()
    runs, handoff = {}, {}
    for key, sample in SAMPLES.items():
        recipe = load_recipe(sample["recipe"])
        runs[key] = simulate(recipe)
        handoff[key] = summarize_synthesis(runs[key], recipe.purification.route)
    doses = {
        d: simulate("li2024-control" if d == 0 else "li2024-nsa-pf6", nsa_mmol=None if d == 0 else d, purify=False)
        for d in NSA_DOSES_MMOL
    }
    dose_pl = {d: float(pl_peak_track_nm(r.synthesis_mean_edge_nm)[0]) for d, r in doses.items()}
    sd_opt = DOTS_CAL["effective_sd_nm"].value
    ctx["synthesis"] = runs
    ctx["route"] = {k: load_recipe(SAMPLES[k]["recipe"]).purification.route for k in runs}
    ctx["size_distribution"] = {k: size_distribution(r.mean_edge_nm, sd_nm=sd_opt) for k, r in runs.items()}
    nsa = runs["nsa_pf6"]
    xtb, dft = ctx["binding_eV_xtb"], paper_binding_energies_eV()
    fed = simulate(SAMPLES["nsa_pf6"]["recipe"], params=SynthesisParameters().with_values(binding_energy_eV=xtb))
    slab = ctx["binding_eV_slab"]
    fed_slab = {
        k: simulate(SAMPLES[k]["recipe"], params=SynthesisParameters().with_values(binding_energy_eV=slab))
        for k in SAMPLES
    }
    out.notes.append(
        f"Binding -> synthesis: fed with the GFN2-xTB energies instead of the paper's DFT ones (qdled synthesize "
        f"--binding xtb), the NSA-NH4PF6 recipe gives {fed.mean_edge_nm:.2f} +/- {fed.sd_edge_nm:.2f} nm dots at a "
        f"yield of {fed.yield_fraction:.2f} (DFT: {nsa.mean_edge_nm:.2f} nm, {nsa.yield_fraction:.2f}). The kinetics "
        f"depend on energy differences to OAm, which xTB puts at NSA {xtb['NSA'] - xtb['OAm']:+.2f} and OA "
        f"{xtb['OA'] - xtb['OAm']:+.2f} eV against the paper's {dft['NSA'] - dft['OAm']:+.2f} and 0 (assumed) eV; "
        "the calibration was made with "
        "the DFT values, so they remain the default. With the periodic-slab energies (qdled synthesize --binding "
        f"slab) the dots grow to {fed_slab['nsa_pf6'].mean_edge_nm:.2f} nm (NSA-NH4PF6) and "
        f"{fed_slab['control'].mean_edge_nm:.2f} nm (OA/OAm) against {nsa.mean_edge_nm:.2f} and "
        f"{runs['control'].mean_edge_nm:.2f} nm with the DFT energies: the kinetics follow OA - OAm, "
        f"{slab['OA'] - slab['OAm']:+.2f} eV on the slab against 0 assumed with DFT."
    )
    out.rows += [
        _row(
            "nsa_pf6.mean_edge_nm",
            "mean edge, NSA-NH4PF6 QDs (TEM)",
            nsa.mean_edge_nm,
            synthesis_records,
            "population balance",
        ),
        _row(
            "nsa_pf6.sd_edge_nm",
            "edge standard deviation, NSA-NH4PF6 QDs (TEM)",
            nsa.sd_edge_nm,
            synthesis_records,
            "population balance",
        ),
    ]
    dose_rows = {d: _dose_key(d) for d in NSA_DOSES_MMOL if _dose_key(d) is not None}
    for d, key in dose_rows.items():
        out.rows.append(
            _row(
                key,
                f"PL peak after synthesis, {d:g} mmol NSA",
                dose_pl[d],
                synthesis_records,
                "population balance -> dots",
            )
        )
    best_dose = _key_dose("nsa_0.6.plqy")  # the dose of the paper's highest PLQY of the series
    out.rows.append(
        _row(
            "nsa_0.6.plqy",
            f"PLQY after synthesis, {best_dose:g} mmol NSA (OAm + NSA shell)",
            plqy(doses[best_dose].synthesis_mean_edge_nm, ligands=("OAm", "NSA")).plqy,
            chain_records,
            "coverage -> trapping (dots)",
        )
    )
    control_full = summarize_synthesis(doses[0.0], "OA/OAm")
    out.rows.append(
        _row(
            "nsa_0.pl_fwhm_nm",
            "PL FWHM after synthesis, no NSA (full simulated distribution)",
            control_full["pl_fwhm_full_distribution_nm"],
            chain_records,
            "population balance -> dots",
        )
    )
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    for key, sample in SAMPLES.items():
        t = np.maximum(runs[key].time_s, 1e-3)
        ax.semilogx(t, handoff[key]["pl_peak_t_nm"], label=sample["label"])
    ax.set_ylim(560, 650)
    ax.set_xlabel("time after Cs-oleate injection (s)")
    ax.set_ylabel("PL peak (nm)")
    ax.legend(fontsize=8)
    ax.set_title("In-situ PL peak during synthesis and purification (paper Fig. 1c)")
    out.figures.append(
        (
            "insitu_pl",
            "Model PL peak against time: growth at 150 degC, cooling, NSA injection, quench, purification",
            fig,
        )
    )
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.5, 3.8), layout="constrained")
    for d, r in doses.items():
        n = np.clip(r.number_per_m3[-2 if r.stages[-1].name == "purification" else -1], 0, None)
        ax1.plot(
            r.edge_nm,
            n / n.max(),
            label=f"{d:g} mmol: {r.synthesis_mean_edge_nm:.2f} +/- {r.synthesis_sd_edge_nm:.2f} nm",
        )
    ax1.set_xlim(2, 7.5)
    ax1.set_xlabel("edge length (nm)")
    ax1.set_ylabel("number (normalised)")
    ax1.legend(fontsize=7, title="NSA dose", title_fontsize=8)
    ax1.set_title("Sizes after synthesis (paper Fig. 1e)")
    x = np.array(NSA_DOSES_MMOL)
    ax2.plot(x, [dose_pl[d] for d in x], "o-", label="model")
    ax2.plot(list(dose_rows), [paper_value(k) for k in dose_rows.values()], "s", mfc="none", label="paper")
    ax2.set_xlabel("NSA (mmol)")
    ax2.set_ylabel("PL peak (nm)")
    ax2.legend(fontsize=8)
    fitted = [d for d, k in dose_rows.items() if status(k, synthesis_records) == "calibrated"]
    ax2.set_title(f"PL peak vs NSA (Fig. 1d); {', '.join(f'{d:g}' for d in fitted)} mmol fitted")
    out.figures.append(("dose_series", "NSA dose series: simulated size distributions and PL peaks", fig))
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    grid = np.linspace(2, 7.5, 400)
    for key, sample in SAMPLES.items():
        r = runs[key]
        n = np.clip(r.number_per_m3[-1], 0, None)
        ax.plot(
            r.edge_nm, n / n.max(), label=f"{sample['label']} purified: {r.mean_edge_nm:.2f} +/- {r.sd_edge_nm:.2f} nm"
        )
    tem = np.exp(-0.5 * ((grid - paper_value("nsa_pf6.mean_edge_nm")) / paper_value("nsa_pf6.sd_edge_nm")) ** 2)
    tem_label = f"{_fmt('nsa_pf6.mean_edge_nm')} +/- {_fmt('nsa_pf6.sd_edge_nm')} nm"
    ax.plot(grid, tem, "k:", label=f"paper TEM NSA-NH4PF6: {tem_label}")
    ax.set_xlim(2, 7.5)
    ax.set_xlabel("edge length (nm)")
    ax.set_ylabel("number (normalised)")
    ax.legend(fontsize=7)
    ax.set_title("Size distributions after purification (paper Fig. 2b)")
    out.figures.append(("sizes", "Final size distributions of both recipes against the paper's TEM statistics", fig))
    out.notes.append(
        "Synthesis (population balance, qdled.synthesis): calibrated "
        + "; ".join(f"{k} = {r.value:g} to {r.targets}" for k, r in CALIBRATED.items())
        + ". Held out: "
        + ", ".join(
            f"{d:g} mmol NSA predicts {dose_pl[d]:.1f} nm (paper {_fmt(k)})"
            for d, k in dose_rows.items()
            if status(k, synthesis_records) == "predicted"
        )
        + f"; NSA-NH4PF6 after purification {nsa.mean_edge_nm:.2f} +/- {nsa.sd_edge_nm:.2f} nm (TEM {tem_label}). "
        "Sizes are handed to the dots stage as the mean with the dots' effective optical spread "
        f"({sd_opt:.3f} nm): the full simulated distribution would give a PL peak of "
        f"{handoff['nsa_pf6']['pl_peak_full_distribution_nm']:.1f} nm and FWHM "
        f"{handoff['nsa_pf6']['pl_fwhm_full_distribution_nm']:.1f} nm for the NSA-NH4PF6 dots (paper "
        f"{_fmt('nsa_pf6.pl_peak_nm')} nm, {_fmt('nsa_pf6.pl_fwhm_nm')} nm): "
        "the simulated spread is wider than the optical spread the paper's PL implies."
    )
    return out


STAGES: list[tuple[str, Stage]] = [
    ("binding", binding_stage),
    ("synthesis", synthesis_stage),
    ("dots", dots_stage),
    ("optics", optics_stage),
    ("device", device_stage),
]
