"""The one place the release number lives (read by setup.py and the API)."""

VERSION = "0.2.0.dev0"
PROJECT_URL = "https://github.com/jantman/RPyMostat"
DOCS_URL = "https://rpymostat.readthedocs.io/"
