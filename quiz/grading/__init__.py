"""Grading: normalisation, embedders, rubric scoring, explanation (see the modules)."""
