"""软弱涣散整顿台账: entries, statuses and history, the overdue rule, and the 台账 as departments exchange it (no UI here)."""
