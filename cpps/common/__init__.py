"""What every app shares: domain errors and small helpers. No models of its own."""
