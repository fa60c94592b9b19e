"""Benchmarks for cpdnet (not tests): run the scripts in this folder; see README.md."""
