"""Messages in and out (SMS and e-mail), their parts, delivery reports and their lifecycle."""
