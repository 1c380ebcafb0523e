"""Django database backend package for SQLCipher (ENGINE = "attunement.store.sqlcipher")."""
