"""Quality initiatives: a lead's goal for a measure (from a baseline rate to a target rate by a date), the cases that
serve it, and whether it is on track (`cases.initiatives.progress`)."""
