"""Text tools every layer shares: normalisation, Unicode scripts, shingles, MinHash/LSH and
language detection.  No knowledge of records, sources or builds lives here."""
