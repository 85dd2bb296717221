"""What the user reads: the label catalogue (Chinese first, English beside it) and the
formatting of due times and plain-text tables."""
