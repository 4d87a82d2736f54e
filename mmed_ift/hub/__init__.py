"""Hub-ready dataset folders (layout, card) and publishing."""
