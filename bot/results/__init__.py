"""Results: aggregates computed ahead of time (the snapshot) and the CSV export."""
