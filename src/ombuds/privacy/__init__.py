"""Privacy: per-brand retention (purge with a daily roll-up that keeps reports right), erasure of one
customer on request (with a record that it was done), and export of one customer's data."""
