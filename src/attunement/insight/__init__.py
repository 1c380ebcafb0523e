"""Insight: episodes with the writer's decisions, the timeline, patterns, hold, and bring."""
