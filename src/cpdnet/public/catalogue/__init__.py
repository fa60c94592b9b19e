"""The public catalogue: find programmes and read about one offering."""
