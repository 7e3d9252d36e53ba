"""External budtenders at partner dispensaries (the X viewer) and, later, coaching."""
