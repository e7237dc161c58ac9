"""A/B experiments: variants of judges, prompts and rubrics run on the same plans, compared
with paired statistics."""
