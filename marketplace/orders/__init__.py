"""Cart, checkout and orders: one order per producer, each paid to its own account."""
