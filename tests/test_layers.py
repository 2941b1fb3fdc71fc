"""The floors of the code base: imports run one way, down (README, "For contributors").

Floor 0 sits below the helper (input checks, the stopping rule, the fast engine), floor 1 is
nmf_helpers.py, floor 2 the notebooks' conveniences built on it, floor 3 the tools. A module
may import its own floor or a lower one, never a higher one, not even inside a function, and
the imports between the course's modules form no circle.
"""

import ast
import subprocess
import sys

import pytest
from conftest import ROOT


FLOORS = {
    0: ["nmf_course", "nmf_course.validation", "nmf_course.rules", "nmf_course.fastfit"],
    1: ["nmf_helpers"],
    2: ["nmf_course.consensus", "nmf_course.compare", "nmf_course.frobenius", "nmf_course.background",
        "nmf_course.counts_io", "nmf_course.paths", "nmf_course.leukemia", "nmf_course.faces",
        "nmf_course.plots", "nmf_course.timing", "nmf_course.selfchecks", "nmf_course.signatures",
        "nmf_course.readouts", "nmf_course.audio",
        "nmf_course.algorithms"],
    3: ["nmf_course.execute", "nmf_course.student_version", "nmf_course.grading", "nmf_course.slides",
        "nmf_course.slide_metadata", "nmf_course.nbgrader_metadata", "nmf_course.papermill_engine",
        "nmf_course.lab"],
}


def floor_of(module):
    """The floor of a module, or of the package it belongs to (selfchecks.nb01 -> selfchecks)."""
    for floor, names in FLOORS.items():
        if module in names:
            return floor
    parent = module.rpartition(".")[0]
    return floor_of(parent) if parent and parent != "nmf_course" else None


def course_modules():
    """{module name: path} for nmf_helpers.py and every module of the nmf_course package."""
    modules = {"nmf_helpers": ROOT / "nmf_helpers.py"}
    for path in sorted((ROOT / "nmf_course").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports_of(module, path, known):
    """The course modules that `module` imports anywhere in its file (functions included)."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known and name != module}
    return found


def import_graph():
    modules = course_modules()
    return {module: imports_of(module, path, modules) for module, path in modules.items()}


def test_every_module_has_a_floor():
    unplaced = [module for module in course_modules() if floor_of(module) is None]
    assert not unplaced, f"place these modules on a floor in tests/test_layers.py: {unplaced}"


def test_no_module_imports_a_higher_floor():
    upward = [f"{module} (floor {floor_of(module)}) imports {target} (floor {floor_of(target)})"
              for module, targets in import_graph().items() for target in sorted(targets)
              if floor_of(target) > floor_of(module)]
    assert not upward, "\n".join(upward)


def find_cycle(graph):
    """One circle of imports as a list of modules, or None."""
    state = {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target, path + [target])
                if cycle:
                    return cycle
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module, [module])
            if cycle:
                return cycle
    return None


def test_the_imports_form_no_circle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "a circle of imports: " + " -> ".join(cycle)


def test_find_cycle_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_of_sees_imports_inside_functions(tmp_path):
    path = tmp_path / "low.py"
    path.write_text("def f():\n    import nmf_helpers as nh\n    from nmf_course import plots\n")
    known = {"nmf_helpers", "nmf_course", "nmf_course.plots", "nmf_course.low"}
    assert imports_of("nmf_course.low", path, known) == {"nmf_helpers", "nmf_course", "nmf_course.plots"}


def loaded_after(statement):
    """The modules that `statement` loads in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", f"import sys; {statement}; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("statement, must_not_load", [
    ("import nmf_course", ["matplotlib", "nmf_helpers", "scipy", "tqdm"]),
    ("import nmf_course.paths", ["matplotlib", "nmf_helpers", "numpy"]),
    ("import nmf_helpers", ["matplotlib", "nmf_course.plots", "nmf_course.consensus",
                            "nmf_course.selfchecks", "nmf_course.frobenius", "nmf_course.compare"]),
])
def test_a_low_import_loads_nothing_above_it(statement, must_not_load):
    loaded = loaded_after(statement)
    assert not loaded & set(must_not_load), f"{statement} loads {sorted(loaded & set(must_not_load))}"


def test_the_self_checks_leave_scipy_signal_unloaded():
    """Every notebook imports nmf_course.selfchecks, which imports notebook 14's audio module;
    scipy.signal (about 0.6 s to import) is loaded only when an audio function runs."""
    assert "scipy.signal" not in loaded_after("from nmf_course import selfchecks")
