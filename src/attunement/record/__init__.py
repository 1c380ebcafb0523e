"""The record: therapists, sessions, contacts, the frame, entries and unsaid notes."""
