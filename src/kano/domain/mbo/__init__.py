"""MBO: weighted personal objectives and their achievement for reviews."""
