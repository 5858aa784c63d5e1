"""File formats: stack and recipe files (TOML), the paper's numbers, measurement readers, safe writers."""
