"""The demo world that `manage.py seed_demo` builds: people and teams (`people`), synthetic audits (`audits`), and
six months of case work played through the services (`stories`, `plan`, `play`, with the times of that work written
afterwards by `history`). Demo-only: nothing in the product imports this package."""
