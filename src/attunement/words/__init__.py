"""Markers in the words, stored: the analysis of each entry, and the writer's corrections."""
