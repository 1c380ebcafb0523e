"""Check-ins: short questionnaires after (or before) a session, defined as data files.

The pure scoring engine is :mod:`attunement.checkins.engine`; the file format and its
validator are in :mod:`attunement.checkins.schema`.
"""
