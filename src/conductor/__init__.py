"""Conductor: a self-hosted SMS + CRM system for dispensaries and small retailers."""

__version__ = "0.1.0"
