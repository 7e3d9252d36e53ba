"""The SMS gateway: moves messages between the modem and the ``messages`` table."""
