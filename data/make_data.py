"""Rebuild the course's count tables, and draw a term's graded tables for Problem 3.

    python data/make_data.py            # the self-study and practice tables into data/ (key: instructor/)
    python data/make_data.py OUTDIR     # the same files, all into OUTDIR
    python data/make_data.py --problem3 SEED OUTDIR   # a term's graded tables and their key
                                                      # (what `make problem3 SEED=... OUT=...` runs)

Three kinds of tables come from the same model, V ~ Poisson(W H):

* the self-study tables atlas_counts.txt and atlas_counts_hard.txt (fixed settings below,
  TABLES); their truth, instructor/answer_key.json, is no secret;
* the practice tables of notebook 06, practice_counts.txt and practice_counts_hard.txt, with
  their truth data/practice_truth.json: problem3_tables(PRACTICE_SEED, practice=True);
* a term's graded tables, problem3_counts.txt and problem3_counts_hard.txt, with answer_key.json,
  from the instructor's secret seed: problem3_tables(seed). The seed draws the number of modules
  (TERM_RANKS: never the practice tables' R), their sizes, the moonlighters and the gene names
  (never a name of the practice tables), so nothing notebook 06 prints about its practice
  tables names a graded moonlighter or states a graded R.

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
  an ordinary Uniform(0.5, 1.5) draw, so some shares are small. (The harder Problem 3 tables,
  problem3_tables below, draw the second share itself from Uniform(0.04, 0.4).)
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


def gene_names(rng, n, exclude=frozenset()):
    """n distinct made-up gene names such as 'Trelk2', sorted alphabetically, none in exclude."""
    names = set()
    while len(names) < n:
        name = str(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) + str(rng.integers(1, 10)))
        if name not in exclude:
            names.add(name)
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


def make_table(seed, modules, n_moonlighters, depth, alpha, favoured, clear_shares, n_samples, story,
               exclude_names=frozenset(), second_share=None):
    """Draw one table from the model; return (genes, samples, V, key, comment)."""
    rng = np.random.default_rng(seed)
    module_names = list(modules)
    sizes = list(modules.values())
    N, R, M = sum(sizes), len(sizes), n_samples
    genes = gene_names(rng, N, exclude_names)
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
    if second_share is not None:
        # the harder Problem 3 tables: a second share drawn from second_share, often small
        for i in moonlighters:
            a, b = home[i], second[int(i)]
            share = rng.uniform(*second_share)
            level = W[i, a] + W[i, b]
            W[i, a], W[i, b] = (1 - share) * level, share * level
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
        "seed": int(seed),
    }
    comment = "\n".join([
        story,
        "One gene per line: its name, then one whole-number count per sample.",
        "Made by data/make_data.py (seeded); see data/README.md.",
        "samples: " + " ".join(samples),
    ])
    return genes, samples, V, key, comment


# Notebook 06's practice tables: the same design as a term's graded tables, with an open seed
# and their own R. A term's tables never have these R's, nor any gene name of these tables.
PRACTICE_SEED = 20260606
PRACTICE_RANKS = (4,)
TERM_RANKS = (3, 5, 6)
PRACTICE_FILES = ("practice_counts.txt", "practice_counts_hard.txt", "practice_truth.json")
TERM_FILES = ("problem3_counts.txt", "problem3_counts_hard.txt", "answer_key.json")
MODULE_NAMES = ["ribosome", "neural", "contractile", "secretion", "cell_cycle", "photoreceptor"]


def module_sizes(rng, R, n_genes=100, smallest=8):
    """R distinct module sizes summing to n_genes, each at least `smallest`, largest first."""
    while True:
        cuts = np.sort(rng.choice(np.arange(1, n_genes), size=R - 1, replace=False))
        sizes = np.diff(np.concatenate([[0], cuts, [n_genes]]))
        if sizes.min() >= smallest and len(set(sizes.tolist())) == R:
            return sorted(sizes.tolist(), reverse=True)


def problem3_tables(seed, practice=False):
    """{file name: make_table settings} of a Problem 3 pair: the main table and the harder one.
    `seed` (any whole number) decides everything; the practice pair draws R from PRACTICE_RANKS,
    a term's pair from TERM_RANKS with no gene name of the practice tables."""
    rng = np.random.default_rng([int(seed), 3])
    ranks = PRACTICE_RANKS if practice else TERM_RANKS
    exclude = frozenset() if practice else practice_gene_names()
    names = PRACTICE_FILES if practice else TERM_FILES
    story = "Pseudo-bulk counts of 100 genes in 60 samples (15 cell types, 4 samples each) of a (fictional) {}."
    settings = {}
    for filename, hard in zip(names[:2], (False, True)):
        R = int(rng.choice(ranks))
        sizes = module_sizes(rng, R - 1 if hard else R, 100 - 5 if hard else 100)
        modules = [str(m) for m in rng.permutation(MODULE_NAMES)[:R]]
        if hard:                        # one small module of 5 genes
            sizes = sizes + [5]
        settings[filename] = dict(
            seed=int(rng.integers(2**31)), modules=dict(zip(modules, sizes)),
            n_moonlighters=int(rng.integers(8, 12) if hard else rng.integers(3, 7)),
            depth=(3_000, 6_000) if hard else (90_000, 110_000), alpha=0.3, favoured=3.0,
            clear_shares=not hard, second_share=(0.04, 0.4) if hard else None, n_samples=60,
            exclude_names=exclude,
            story=story.format("sea anemone, sequenced shallowly" if hard else "sea anemone"))
    return settings


def practice_gene_names():
    """Every gene name of the practice tables (a term's tables use none of them)."""
    names = set()
    for settings in problem3_tables(PRACTICE_SEED, practice=True).values():
        names.update(make_table(**settings)[0])
    return frozenset(names)


def write_tables(tables, outdir, keyfile):
    """Write each table of {file name: settings} into outdir and their truth into keyfile;
    return the paths written."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    Path(keyfile).parent.mkdir(parents=True, exist_ok=True)
    answer_key = {}
    for filename, settings in tables.items():
        genes, samples, V, key, comment = make_table(**settings)
        save_counts(outdir / filename, genes, V, comment=comment)
        answer_key[filename] = key
    text = json.dumps(answer_key, indent=2, sort_keys=False) + "\n"
    Path(keyfile).write_text(text, encoding="utf-8")
    return [*(outdir / name for name in tables), Path(keyfile)]


def print_checksums(paths, relative_to):
    for path in paths:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{digest}  {Path(os.path.relpath(path, relative_to)).as_posix()}")


def problem3(seed, outdir):
    """A term's graded tables and answer_key.json, from the instructor's seed, into outdir."""
    written = write_tables(problem3_tables(seed), outdir, Path(outdir) / TERM_FILES[2])
    print_checksums(written, outdir)


def main(outdir, keydir=None):
    """Write the tables into outdir and answer_key.json into keydir (default: outdir);
    print the SHA-256 of each file, named relative to outdir."""
    outdir = Path(outdir)
    keydir = outdir if keydir is None else Path(keydir)
    written = write_tables(TABLES, outdir, keydir / "answer_key.json")
    written += write_tables(problem3_tables(PRACTICE_SEED, practice=True), outdir, outdir / PRACTICE_FILES[2])
    print_checksums(written, outdir)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--problem3":
        if not sys.argv[2].strip().isdigit():
            sys.exit(f"make problem3: SEED must be a whole number, not {sys.argv[2]!r}")
        problem3(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 2:
        sys.exit("usage: python data/make_data.py [OUTDIR]  or  python data/make_data.py --problem3 SEED OUTDIR")
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        here = Path(__file__).resolve().parent
        main(here, here.parent / "instructor")
