"""Background work at the edge: live metric refresh (``kano compute``) and ``kano worker``."""
