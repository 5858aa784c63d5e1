"""TEM particle sizing on synthetic images of squares (cube projections) of known edge length."""

import numpy as np
import pytest

from qdled.analysis.tem import particle_sizes
from qdled.errors import InputError

EDGE_PX = 20
NM_PER_PX = 0.215  # -> 4.3 nm edges, the paper's NSA-NH4PF6 mean size (Li et al. 2024)


def _image(seed, dark=True):
    rng = np.random.default_rng(seed)
    img = np.full((260, 300), 0.8)
    val = 0.3
    for i in range(3):  # 12 isolated squares
        for j in range(4):
            y, x = 25 + i * 55, 20 + j * 65
            img[y : y + EDGE_PX, x : x + EDGE_PX] = val
    for y, x in [(195, 30), (195, 160)]:  # 2 touching pairs, the second offset by half an edge
        img[y : y + EDGE_PX, x : x + EDGE_PX] = val
        img[y + EDGE_PX // 2 : y + EDGE_PX // 2 + EDGE_PX, x + EDGE_PX : x + 2 * EDGE_PX] = val
    img[0:12, 270:290] = val  # cut by the border: must be dropped
    img += rng.normal(0, 0.08, img.shape)
    return img if dark else 1 - img


def test_mean_edge_length_within_5_percent_and_touching_split():
    r = particle_sizes(_image(12), NM_PER_PX)
    assert r.count == 16  # 12 isolated + 2 pairs split by the watershed
    assert r.dropped_at_edge == 1
    assert r.mean_nm == pytest.approx(EDGE_PX * NM_PER_PX, rel=0.05)
    assert r.sd_nm < 0.1 * r.mean_nm
    assert sum(r.histogram["counts"]) == r.count
    # a square's equivalent-circle diameter is 2/sqrt(pi) of its edge
    assert r.mean_equivalent_diameter_nm == pytest.approx(r.mean_nm * 2 / np.sqrt(np.pi), rel=0.01)


def test_bright_particles_mode():
    r = particle_sizes(_image(13, dark=False), NM_PER_PX, dark_particles=False)
    assert r.count == 16 and r.mean_nm == pytest.approx(EDGE_PX * NM_PER_PX, rel=0.05)


def test_errors():
    with pytest.raises(InputError, match="uniform"):
        particle_sizes(np.ones((32, 32)), 0.2)
    with pytest.raises(InputError, match="nm_per_pixel"):
        particle_sizes(_image(1), 0.0)


def test_size_distribution_mean_and_sd():
    # dots drawn like the paper's 4.3 +/- 0.6 nm (Li et al. 2024): edges N(20, 2.8) px at 0.215 nm/px
    rng = np.random.default_rng(15)
    edges = np.clip(np.rint(rng.normal(20, 2.8, 25)), 10, 30).astype(int)
    img = np.full((5 * 45 + 10, 5 * 45 + 10), 0.8)
    for k, a in enumerate(edges):
        y, x = 10 + (k // 5) * 45, 10 + (k % 5) * 45
        img[y : y + a, x : x + a] = 0.3
    img += rng.normal(0, 0.05, img.shape)
    r = particle_sizes(img, NM_PER_PX)
    assert r.count == 25
    assert r.mean_nm == pytest.approx(edges.mean() * NM_PER_PX, rel=0.05)
    # pixel-edge effects add ~0.5 px of scatter: sd within 20 %
    assert r.sd_nm == pytest.approx(edges.std(ddof=1) * NM_PER_PX, rel=0.2)


def test_blurred_sparse_particles_are_not_oversized():
    # 4.3 nm squares at 0.5 nm/px (8.6 px; pixel values = exact area coverage), a 0.6 nm Gaussian PSF and
    # 0.05 noise on a sparse 25 nm lattice: Otsu's threshold leans to the background and gave +7 %; half
    # contrast between the plateaus gives -1 %; 2.5 % allows pixelation of an 8.6 px edge.
    from scipy.ndimage import gaussian_filter

    px, edge = 0.5, 4.3
    k = np.arange(300)  # pixel k covers [k, k + 1) * px

    def cover(x0):  # fraction of each pixel column covered by [x0, x0 + edge] (nm)
        return np.clip(np.minimum((k + 1) * px, x0 + edge) - np.maximum(k * px, x0), 0, None) / px

    img = np.full((300, 300), 0.8)
    for i in range(5):
        for j in range(5):
            img -= 0.5 * np.outer(cover(12.3 + 25 * i), cover(12.1 + 25 * j))
    img = gaussian_filter(img, 0.6 / px) + np.random.default_rng(3).normal(0, 0.05, img.shape)
    r = particle_sizes(img, px)
    assert r.count == 25
    assert r.mean_nm == pytest.approx(edge, rel=0.025)


def test_unsplit_neighbours_are_left_out_and_counted():
    img = np.full((200, 200), 0.8)
    for k in range(6):  # six isolated 20 px squares
        img[20 + 60 * (k // 3) : 40 + 60 * (k // 3), 20 + 60 * (k % 3) : 40 + 60 * (k % 3)] = 0.3
    img[150:170, 30:70] = 0.3  # two squares face to face with no gap: one 20 x 40 px object
    r = particle_sizes(img + np.random.default_rng(1).normal(0, 0.02, img.shape), NM_PER_PX)
    assert r.dropped_merged == 1 and r.count == 6
    assert r.mean_nm == pytest.approx(20 * NM_PER_PX, rel=0.05)
