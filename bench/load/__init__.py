"""Load generator for the API: many signed-in wallets, a mixed workload, writes verified exactly-once."""
