"""nmf_course: the machinery beside nmf_helpers.

nmf_helpers.py is what a student reads: the model, the objective, the update rules,
fitting, choosing R and reading W. Everything a student does not need to read lives
here, one job per module, and nmf_helpers re-exports what the notebooks call.
"""

# Some modules here call back into nmf_helpers at call time (the self-checks compare with its
# answers; the fast fit uses its stopping rule). Importing nmf_helpers first, whichever module
# of the package is imported, lets those `import nmf_helpers as nh` lines run in any order.
import nmf_helpers  # noqa: E402,F401
