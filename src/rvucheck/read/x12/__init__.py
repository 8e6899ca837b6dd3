"""X12 005010X222A1 837P (professional claims) input: tokens (segments, streamed) -> loops (claims and
service lines) -> reader (ChargeLines, UnreadableLines); sniff tells an 837P from anything else."""
