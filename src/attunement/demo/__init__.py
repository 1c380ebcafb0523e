"""A fictional, clearly labelled demo year of long-term therapy.

``build_demo_journal(seed, start)`` returns the whole year as plain records
(:class:`attunement.io.records.JournalData`) for ``attune demo`` and for the
analysis tests. Every person, place and word in it is invented.
"""

from attunement.demo.generator import DEMO_NOTICE, build_demo_journal, demo_year

__all__ = ["DEMO_NOTICE", "build_demo_journal", "demo_year"]
