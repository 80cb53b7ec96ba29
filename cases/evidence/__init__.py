"""The faces of the evidence: pages and API of samples, patterns and detection runs.

They sit above both apps: what a partner may see of the evidence is decided by the cases shared with it
(`cases.permissions.visible_samples`), and the samples explorer opens cases from a selection.
"""
