"""The web tier: one module per kind of page, plus the shared machinery in deps and templating."""
