"""Prints both sides' rates and the ratio: `ratio.py OURS1 OURS2 THEIRS1 THEIRS2` (rows/s)."""
import sys

v = [float(x) for x in sys.argv[1:]]
ours, theirs = v[:2], v[2:]
print(f"cellsweep: {', '.join(f'{x:,.0f}' for x in ours)} rows/s; "
      f"duckdb: {', '.join(f'{x:,.0f}' for x in theirs)} rows/s")
print(f"ratio (best of each): {max(ours) / max(theirs):.2f}x; "
      f"per run: {', '.join(f'{a / b:.2f}x' for a, b in zip(ours, theirs))}")
