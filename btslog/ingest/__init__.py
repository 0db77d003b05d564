"""btslog.ingest"""
