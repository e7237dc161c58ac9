"""Batches: many audits x plan sets, judged in the background, resumable."""
