"""`python -m bench.api`: load 100k jobs and 20k profiles, then measure the API on one uvicorn worker."""
