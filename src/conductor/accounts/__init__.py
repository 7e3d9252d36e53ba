"""People and programs who use the console and the API: users, roles, API tokens, audit log."""
