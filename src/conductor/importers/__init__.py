"""Importers: one folder per source (csv/ now, blaze/ next), each mapping into the domain services."""
