"""Periodic jobs: declared as data in definitions.JOBS, run by `flask --app wsgi jobs ...`."""
