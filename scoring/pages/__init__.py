"""Page builders: what a big page shows, as plain data, read through the selectors."""
