"""The panels: widgets on top of the subjects (the live control panel, the cluster panel)."""
