"""btslog.db"""
