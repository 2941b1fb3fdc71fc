"""nmf_course: the machinery beside nmf_helpers, in floors whose imports run one way (down).

- below the helper: validation (input checks), rules (the stopping rule), fastfit (the engine);
- nmf_helpers.py (the maths students read) imports only those;
- floor 2, each importing the helper: consensus, compare, frobenius, background, counts_io,
  paths, leukemia, faces, plots, timing, selfchecks;
- floor 3, the tools: execute, student_version, grading, slides, slide_metadata,
  nbgrader_metadata.

Importing this package imports nothing: ``from nmf_course import consensus`` loads that
module and what it needs, no more.
"""
