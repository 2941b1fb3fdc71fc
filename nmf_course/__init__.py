"""nmf_course: the machinery beside nmf_helpers.

nmf_helpers.py is what a student reads: the model, the objective, the update rules,
fitting, choosing R and reading W. Everything a student does not need to read lives
here, one job per module, and nmf_helpers re-exports what the notebooks call.
"""
