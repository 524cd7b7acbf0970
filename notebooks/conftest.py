# Student versions have no stored outputs (nothing for nbval to compare) and blank answers;
# tests/notebooks checks them structurally instead.
collect_ignore = ["student"]
