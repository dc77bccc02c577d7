"""Audit trail: raw-input checksums, provenance records, edition manifests and verification."""
