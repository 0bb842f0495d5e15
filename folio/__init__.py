"""Folio: scanned, signed municipal reports into verified, structured records."""
