"""The faces of the quality analytics (`rca.quality`): the API (`api.py`, `api_urls.py`) and the query forms it shares
with the pages."""
