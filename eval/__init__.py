"""Evaluation: test sets, metrics, reports and the quality gate."""
