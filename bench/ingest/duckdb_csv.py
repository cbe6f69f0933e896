"""DuckDB's side of the ingest benchmarks: CSV (a file or a glob) to one Parquet file.

    python duckdb_csv.py CSV_OR_GLOB OUT.parquet
"""
import sys

import duckdb

con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(f"""COPY (SELECT * FROM read_csv('{sys.argv[1]}', delim=',', quote='"', header=true,
                 store_rejects=true)) TO '{sys.argv[2]}' (FORMAT parquet)""")
