"""Rebuild the course's provided count tables and their answer key.

    python data/make_data.py            # the tables into data/, the key into instructor/
    python data/make_data.py OUTDIR     # all three files into OUTDIR

The answer key (instructor/answer_key.json) is for instructors: instructor/ is never
copied to student/.

Every random draw comes from np.random.default_rng with a fixed seed, so the files
come out byte-identical on every run (tests/test_data.py checks this and the SHA-256
checksums listed in data/README.md). The generative model is the homework's,
V ~ Poisson(W H), with choices the students are not told:

* W (genes x modules): each gene has a home module; its weight there is drawn from
  Uniform(0.5, 1.5) and each column is then divided by its sum. A moonlighting gene
  also belongs to a second module (chosen with probability proportional to the
  modules' sizes, so a small module stays small). In the main table its two shares (its row of W
  divided by the row's sum) are set to a value drawn from Uniform(0.3, 0.7) and the
  rest, so that it clearly belongs to both; in the harder table its second weight is
  an ordinary Uniform(0.5, 1.5) draw, so some shares are small.
* H (modules x samples): each sample is a cell type. Its module proportions are a
  Dirichlet draw with parameter ``favoured`` for the modules its cell type relies on
  (CELL_TYPES below) and ``alpha`` for the others, times the sample's total count,
  drawn uniformly from a depth range. So the four samples of a cell type look alike,
  and a module is most active in the cell types that favour it.
* V = Poisson(W H).

Gene names are made up from syllables (they are not real genes, and they say nothing
about modules: genes are listed alphabetically, modules are assigned at random).
Sample names are cell types and sit in a comment line starting "# samples:".
"""

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

# The format's writer lives in nmf_course.counts_io; make it importable from a plain checkout too.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nmf_course.counts_io import save_counts  # noqa: E402

ONSETS = ["B", "Br", "C", "Cr", "D", "F", "G", "Gl", "H", "K", "L", "M", "N", "P", "Pl",
          "R", "S", "Sl", "T", "Tr", "V", "Z"]
VOWELS = ["a", "e", "i", "o", "u", "y"]
CODAS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "x", "lk", "nd", "rp", "sk"]

# cell type -> the modules it relies on (a module missing from a table is ignored)
CELL_TYPES = {
    "neuron": ["neural"], "glia": ["neural"], "cnidocyte": ["neural", "contractile"],
    "muscle": ["contractile"], "fibroblast": ["contractile"], "ciliated": ["contractile", "photoreceptor"],
    "gland": ["secretion"], "gut": ["secretion"], "secretory": ["secretion"],
    "nephridium": ["secretion"], "immune": ["secretion", "cell_cycle"],
    "stem": ["cell_cycle", "ribosome"], "germline": ["cell_cycle", "ribosome"],
    "epidermis": ["ribosome"], "pigment": ["ribosome", "photoreceptor"],
}

TABLES = {
    # file name: the settings of make_table()
    "atlas_counts.txt": dict(
        seed=20191108,
        modules={"ribosome": 31, "neural": 24, "contractile": 19, "secretion": 15, "cell_cycle": 11},
        n_moonlighters=4, depth=(90_000, 110_000), alpha=0.3, favoured=3.0, clear_shares=True,
        n_samples=60,
        story="Pseudo-bulk counts of 100 genes in 60 samples (15 cell types, 4 samples each) "
              "of a (fictional) sea anemone.",
    ),
    "atlas_counts_hard.txt": dict(
        seed=20191115,
        modules={"ribosome": 27, "neural": 22, "contractile": 19, "secretion": 16, "cell_cycle": 11,
                 "photoreceptor": 5},
        n_moonlighters=10, depth=(3_000, 6_000), alpha=0.3, favoured=3.0, clear_shares=False,
        n_samples=60,
        story="A shallower sequencing run of another (fictional) atlas: 100 genes, "
              "60 samples of 15 cell types.",
    ),
}


def gene_names(rng, n):
    """n distinct made-up gene names such as 'Trelk2', sorted alphabetically."""
    names = set()
    while len(names) < n:
        name = rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) + str(rng.integers(1, 10))
        names.add(str(name))
    return sorted(names)


def sample_types(rng, m):
    """(names, types): m samples such as 'neuron_03' and their cell types, in a shuffled order."""
    kinds = list(CELL_TYPES)
    types = [kinds[k % len(kinds)] for k in range(m)]
    counter, names = {}, []
    for t in types:
        counter[t] = counter.get(t, 0) + 1
        names.append(f"{t}_{counter[t]:02d}")
    order = rng.permutation(m)
    return [names[k] for k in order], [types[k] for k in order]


def make_table(seed, modules, n_moonlighters, depth, alpha, favoured, clear_shares, n_samples, story):
    """Draw one table from the model; return (genes, samples, V, key, comment)."""
    rng = np.random.default_rng(seed)
    module_names = list(modules)
    sizes = list(modules.values())
    N, R, M = sum(sizes), len(sizes), n_samples
    genes = gene_names(rng, N)
    samples, types = sample_types(rng, M)

    home = rng.permutation(np.repeat(np.arange(R), sizes))
    W = np.zeros((N, R))
    W[np.arange(N), home] = rng.uniform(0.5, 1.5, size=N)
    moonlighters = np.sort(rng.choice(N, size=n_moonlighters, replace=False))
    second = {}
    for i in moonlighters:
        others = [a for a in range(R) if a != home[i]]
        weights = np.array([sizes[a] for a in others], dtype=float)  # big modules more likely
        second[int(i)] = int(rng.choice(others, p=weights / weights.sum()))
        W[i, second[int(i)]] = rng.uniform(0.5, 1.5)
    W /= W.sum(axis=0)
    if clear_shares:
        # give each moonlighter a clear share in both modules; renormalising the
        # columns afterwards moves the shares only a little (they are re-measured below)
        for i in moonlighters:
            a, b = home[i], second[int(i)]
            share = rng.uniform(0.3, 0.7)
            level = W[i, a] + W[i, b]
            W[i, a], W[i, b] = share * level, (1 - share) * level
        W /= W.sum(axis=0)

    proportions = np.empty((R, M))
    for mu, cell_type in enumerate(types):
        parameter = [favoured if name in CELL_TYPES[cell_type] else alpha for name in module_names]
        proportions[:, mu] = rng.dirichlet(parameter)
    totals = rng.uniform(*depth, size=M)
    H = proportions * totals
    V = rng.poisson(W @ H)

    shares = W / W.sum(axis=1, keepdims=True)
    key = {
        "note": "module_sizes count every member, moonlighters included; a moonlighter's shares "
                "are its row of the true W divided by the row's sum (home module first)",
        "true_R": R,
        "module_sizes": {name: int(np.sum(W[:, a] > 0)) for a, name in enumerate(module_names)},
        "modules": {name: [genes[i] for i in np.flatnonzero(W[:, a] > 0)]
                    for a, name in enumerate(module_names)},
        "moonlighters": [
            {"gene": genes[i],
             "modules": [module_names[home[i]], module_names[second[int(i)]]],
             "shares": [round(float(shares[i, home[i]]), 3), round(float(shares[i, second[int(i)]]), 3)]}
            for i in moonlighters],
        "depth_range": list(depth),
        "favoured_by": {name: [t for t in CELL_TYPES if name in CELL_TYPES[t]] for name in module_names},
        "dirichlet": {"favoured_modules": favoured, "other_modules": alpha},
        "seed": seed,
    }
    comment = "\n".join([
        story,
        "One gene per line: its name, then one whole-number count per sample.",
        "Made by data/make_data.py (seeded); see data/README.md.",
        "samples: " + " ".join(samples),
    ])
    return genes, samples, V, key, comment


def main(outdir, keydir=None):
    """Write the tables into outdir and answer_key.json into keydir (default: outdir);
    print the SHA-256 of each file, named relative to outdir."""
    outdir = Path(outdir)
    keydir = outdir if keydir is None else Path(keydir)
    for folder in (outdir, keydir):
        folder.mkdir(parents=True, exist_ok=True)
    answer_key = {}
    for filename, settings in TABLES.items():
        genes, samples, V, key, comment = make_table(**settings)
        save_counts(outdir / filename, genes, V, comment=comment)
        answer_key[filename] = key
    text = json.dumps(answer_key, indent=2, sort_keys=False) + "\n"
    (keydir / "answer_key.json").write_text(text, encoding="utf-8")
    for path in [*(outdir / name for name in TABLES), keydir / "answer_key.json"]:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{digest}  {Path(os.path.relpath(path, outdir)).as_posix()}")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.exit("usage: python data/make_data.py [OUTDIR]")
    if len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        here = Path(__file__).resolve().parent
        main(here, here.parent / "instructor")
