"""Accountability: the partnership charter, two-key commitments, progress and scorecards."""
