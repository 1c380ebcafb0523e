"""Browser tests: a real server process driven by a real Chromium."""
