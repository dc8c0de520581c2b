"""Risk scoring for Chainlight: pure Python, plain data in and out (no Flask, no database)."""
