"""Priorities: rounds where residents compare ideas pairwise to rank what safety should focus on."""
