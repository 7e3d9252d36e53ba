"""Rollups: sales and messages counted per quarter hour, kept by the database itself."""
