"""The encrypted store: the only code that opens the journal database."""
