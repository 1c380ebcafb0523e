"""Parts of a plural system: members, fronts and authorship (off unless turned on)."""
