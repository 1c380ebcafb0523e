"""The circle server: shared posts, comments, shared check-ins and the therapist's view.

Run with the hosted profile (``attune serve --hosted``, ``ATTUNE_PROFILE=circle``) on
PostgreSQL. It holds only what a writer chose to share, item by item; the private
journal never leaves the writer's machine.
"""
