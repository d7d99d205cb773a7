"""Balanced Scorecard: perspectives, objectives, measures, scores and the strategy map."""
